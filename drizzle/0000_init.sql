CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`hash` text NOT NULL,
	`prefix` text NOT NULL,
	`name` text,
	`role` text NOT NULL,
	`side` text,
	`agency_code` text,
	`team_id` text,
	`created_at` text NOT NULL,
	`created_by` text,
	`revoked_at` text,
	`last_used_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_hash_unique` ON `api_keys` (`hash`);--> statement-breakpoint
CREATE INDEX `api_keys_created` ON `api_keys` (`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `agencies` (
	`code` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`side` text NOT NULL,
	`level` text NOT NULL,
	`parent_code` text,
	`admin_code` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `agencies_parent` ON `agencies` (`parent_code`);--> statement-breakpoint
CREATE INDEX `agencies_side` ON `agencies` (`side`);--> statement-breakpoint
CREATE TABLE `areas` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`side` text NOT NULL,
	`agency_code` text NOT NULL,
	`kind` text NOT NULL,
	`geometry` text NOT NULL,
	`min_lng` real NOT NULL,
	`min_lat` real NOT NULL,
	`max_lng` real NOT NULL,
	`max_lat` real NOT NULL,
	`area_size` real NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`agency_code`) REFERENCES `agencies`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `areas_agency` ON `areas` (`agency_code`);--> statement-breakpoint
CREATE INDEX `areas_created` ON `areas` (`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `teams` (
	`id` text PRIMARY KEY NOT NULL,
	`agency_code` text NOT NULL,
	`name` text NOT NULL,
	`categories` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`agency_code`) REFERENCES `agencies`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `teams_agency` ON `teams` (`agency_code`);--> statement-breakpoint
CREATE TABLE `event_audience` (
	`key` text NOT NULL,
	`position` integer NOT NULL,
	PRIMARY KEY(`key`, `position`),
	FOREIGN KEY (`position`) REFERENCES `events`(`position`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `events` (
	`position` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`type` text NOT NULL,
	`subject` text NOT NULL,
	`sequence` integer NOT NULL,
	`time` text NOT NULL,
	`source` text NOT NULL,
	`side` text,
	`agency_code` text,
	`category` text,
	`data` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `events_id_unique` ON `events` (`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `events_subject_seq` ON `events` (`subject`,`sequence`);--> statement-breakpoint
CREATE INDEX `events_type` ON `events` (`type`,`position`);--> statement-breakpoint
CREATE TABLE `checkpoints` (
	`name` text PRIMARY KEY NOT NULL,
	`position` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `job_runs` (
	`job_id` text PRIMARY KEY NOT NULL,
	`done_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`queue` text NOT NULL,
	`name` text NOT NULL,
	`payload` text NOT NULL,
	`priority` integer DEFAULT 0 NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`max_attempts` integer DEFAULT 5 NOT NULL,
	`run_at` text NOT NULL,
	`last_error` text,
	`created_at` text NOT NULL,
	`finished_at` text
);
--> statement-breakpoint
CREATE INDEX `jobs_ready` ON `jobs` (`status`,`run_at`,`priority`);--> statement-breakpoint
CREATE INDEX `jobs_failed` ON `jobs` (`status`,`finished_at`);--> statement-breakpoint
CREATE TABLE `timers` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`payload` text NOT NULL,
	`due_at` text NOT NULL,
	`fired_at` text,
	`cancelled_at` text
);
--> statement-breakpoint
CREATE INDEX `timers_due` ON `timers` (`fired_at`,`cancelled_at`,`due_at`);--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`key_id` text NOT NULL,
	`key` text NOT NULL,
	`route` text NOT NULL,
	`body_hash` text NOT NULL,
	`status` integer NOT NULL,
	`response` text NOT NULL,
	`location` text,
	`created_at` text NOT NULL,
	PRIMARY KEY(`key_id`, `route`, `key`)
);
--> statement-breakpoint
CREATE INDEX `idem_created` ON `idempotency_keys` (`created_at`);