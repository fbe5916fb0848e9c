-- Channel names follow the name-token rule templates use to name them (common/NameRules): up
-- to 64 characters. The check allowed 63, so a template could name a channel that could never
-- be created.
ALTER TABLE notification_channels DROP CONSTRAINT notification_channels_name_check;
ALTER TABLE notification_channels ADD CONSTRAINT notification_channels_name_check
    CHECK (name ~ '^[a-z0-9][a-z0-9_.-]{0,63}$');
