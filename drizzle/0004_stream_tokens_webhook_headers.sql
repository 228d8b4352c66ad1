CREATE TABLE `stream_tokens` (
	`hash` text PRIMARY KEY NOT NULL,
	`key_id` text NOT NULL,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	`used_at` text
);
--> statement-breakpoint
CREATE INDEX `stream_tokens_expires` ON `stream_tokens` (`expires_at`);--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `custom_header_names` text;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `custom_headers` text;