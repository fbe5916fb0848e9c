const { exec } = require("child_process");
const http = require("http");
http.createServer((req, res) => {
  const q = new URL(req.url, "http://x").searchParams;
  exec("ping -c 1 " + q.get("host"), (e, out) => res.end(out));
  res.end(eval(q.get("expr")));
}).listen(8080);
