CREATE TABLE `reports` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`scope` text NOT NULL,
	`agency_code` text NOT NULL,
	`side` text,
	`title` text NOT NULL,
	`period_from` text NOT NULL,
	`period_to` text NOT NULL,
	`data` text NOT NULL,
	`published_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reports_period` ON `reports` (`kind`,`agency_code`,`period_from`);--> statement-breakpoint
CREATE INDEX `reports_published` ON `reports` (`published_at`,`id`);--> statement-breakpoint
CREATE INDEX `reports_agency` ON `reports` (`agency_code`,`published_at`,`id`);