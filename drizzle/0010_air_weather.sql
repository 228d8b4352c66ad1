CREATE TABLE `case_read_grants` (
	`case_id` text NOT NULL,
	`team_id` text NOT NULL,
	`granted_by` text NOT NULL,
	`until` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`case_id`, `team_id`, `granted_by`),
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `case_read_grants_team` ON `case_read_grants` (`team_id`,`case_id`);--> statement-breakpoint
CREATE INDEX `case_read_grants_by` ON `case_read_grants` (`granted_by`);--> statement-breakpoint
CREATE TABLE `air_alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`zone_id` text NOT NULL,
	`level` text NOT NULL,
	`status` text NOT NULL,
	`starts_at` text NOT NULL,
	`expected_end_at` text NOT NULL,
	`forecast_daily_aqi` text NOT NULL,
	`supported_level` text,
	`override_reason` text,
	`issued_by_agency_code` text,
	`operation_id` text,
	`history` text NOT NULL,
	`lifted_at` text,
	`lift_note` text,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`zone_id`) REFERENCES `air_zones`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `air_alerts_created` ON `air_alerts` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `air_alerts_zone` ON `air_alerts` (`zone_id`,`status`);--> statement-breakpoint
CREATE TABLE `air_zones` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`area_ids` text NOT NULL,
	`minimum_cuts` text NOT NULL,
	`linkage_levels` text NOT NULL,
	`note` text,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `emergency_measures` (
	`source_id` text PRIMARY KEY NOT NULL,
	`source_side` text NOT NULL,
	`source_agency_code` text NOT NULL,
	`levels` text NOT NULL,
	`updated_by` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
ALTER TABLE `joint_operations` ADD `air_alert_id` text;--> statement-breakpoint
ALTER TABLE `operation_tasks` ADD `alert_level` text;--> statement-breakpoint
ALTER TABLE `operation_tasks` ADD `required_measures` text;--> statement-breakpoint
ALTER TABLE `operation_tasks` ADD `failed_measure` text;