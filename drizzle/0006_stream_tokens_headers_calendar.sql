CREATE TABLE `stream_tokens` (
	`hash` text PRIMARY KEY NOT NULL,
	`key_id` text NOT NULL,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	`used_at` text
);
--> statement-breakpoint
CREATE INDEX `stream_tokens_expires` ON `stream_tokens` (`expires_at`);--> statement-breakpoint
CREATE TABLE `calendar_years` (
	`year` integer PRIMARY KEY NOT NULL,
	`off` text NOT NULL,
	`work` text NOT NULL,
	`official` integer NOT NULL,
	`source` text NOT NULL,
	`imported_at` text NOT NULL,
	`imported_by` text NOT NULL
);
--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `custom_header_names` text;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `custom_headers` text;