// planted for the demo: a hard-coded cloud key
module.exports = {
  awsAccessKeyId: "AKIA2OGYBAH6QR7NLZ5K",
  awsSecretAccessKey: "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",
  slackToken: "xoxb-263594206564-2343594206574-FGqddMF8t08v8N7Oq4i57vs1",
};
