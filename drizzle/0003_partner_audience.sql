ALTER TABLE `api_keys` ADD `audience` text;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `scopes` text;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `owner_audience` text;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `owner_scopes` text;--> statement-breakpoint
-- Existing partner keys get the narrowest audience their binding allows: an agency-bound key its
-- agency subtree, a side-bound key its side, an unbound key only what it created; scope: events.
UPDATE `api_keys` SET `audience` = CASE WHEN `agency_code` IS NOT NULL THEN 'agency' WHEN `side` IS NOT NULL THEN 'side' ELSE 'created' END, `scopes` = '["events"]' WHERE `role` = 'partner';--> statement-breakpoint
UPDATE `subscriptions` SET `owner_audience` = (SELECT k.`audience` FROM `api_keys` k WHERE k.`id` = `owner_key_id`), `owner_scopes` = (SELECT k.`scopes` FROM `api_keys` k WHERE k.`id` = `owner_key_id`) WHERE `owner_role` = 'partner';--> statement-breakpoint
-- Complaint events readable by partners: the creating key, and the audience qualified by kind.
INSERT OR IGNORE INTO `event_audience` (`key`, `position`) SELECT 'key:' || c.`created_by_key_id`, e.`position` FROM `events` e JOIN `complaints` c ON e.`subject` = 'complaints/' || c.`id` WHERE c.`created_by_key_id` IS NOT NULL;--> statement-breakpoint
INSERT OR IGNORE INTO `event_audience` (`key`, `position`) SELECT 'complaints@' || a.`key`, a.`position` FROM `event_audience` a JOIN `events` e ON e.`position` = a.`position` WHERE e.`subject` LIKE 'complaints/%' AND a.`key` NOT LIKE 'key:%' AND a.`key` NOT LIKE 'complaints@%';--> statement-breakpoint
INSERT OR IGNORE INTO `event_audience` (`key`, `position`) SELECT 'complaints@*', `position` FROM `events` WHERE `subject` LIKE 'complaints/%';
