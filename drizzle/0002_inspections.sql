CREATE TABLE `inspection_items` (
	`id` text PRIMARY KEY NOT NULL,
	`agency_code` text NOT NULL,
	`code` text NOT NULL,
	`name` text NOT NULL,
	`legal_basis` text NOT NULL,
	`categories` text NOT NULL,
	`target_classes` text NOT NULL,
	`method` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `inspection_items_code` ON `inspection_items` (`agency_code`,`code`);--> statement-breakpoint
CREATE TABLE `inspection_plans` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`agency_code` text NOT NULL,
	`side` text NOT NULL,
	`scope` text NOT NULL,
	`scope_key` text NOT NULL,
	`period_from` text NOT NULL,
	`period_to` text NOT NULL,
	`ratios` text NOT NULL,
	`inspectors_per_target` integer NOT NULL,
	`mode` text NOT NULL,
	`item_codes` text NOT NULL,
	`parties` text NOT NULL,
	`status` text NOT NULL,
	`frozen_at` text,
	`input` text,
	`input_hash` text,
	`previous_plan_id` text,
	`seed` text,
	`drawn_at` text,
	`targets` text,
	`failure` text,
	`created_by` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `inspection_plans_agency` ON `inspection_plans` (`agency_code`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `inspection_plans_scope` ON `inspection_plans` (`scope_key`,`drawn_at`);--> statement-breakpoint
CREATE INDEX `inspection_plans_created` ON `inspection_plans` (`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `inspections` (
	`id` text PRIMARY KEY NOT NULL,
	`plan_id` text NOT NULL,
	`position` integer NOT NULL,
	`source_id` text NOT NULL,
	`source_class` text NOT NULL,
	`source_side` text NOT NULL,
	`officers` text NOT NULL,
	`status` text NOT NULL,
	`inspection_date` text,
	`results` text,
	`officers_present` text,
	`evidence` text,
	`outcome` text,
	`rectification` text,
	`case_id` text,
	`recorded_at` text,
	`recorded_by` text,
	`publication_due_at` text,
	`published_at` text,
	`published_by` text,
	`overdue_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`plan_id`) REFERENCES `inspection_plans`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `inspections_plan_position` ON `inspections` (`plan_id`,`position`);--> statement-breakpoint
CREATE INDEX `inspections_plan_status` ON `inspections` (`plan_id`,`status`);--> statement-breakpoint
CREATE INDEX `inspections_published` ON `inspections` (`plan_id`,`published_at`);--> statement-breakpoint
CREATE TABLE `inspector_conflicts` (
	`id` text PRIMARY KEY NOT NULL,
	`inspector_id` text NOT NULL,
	`source_id` text NOT NULL,
	`reason` text NOT NULL,
	`declared_by` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`inspector_id`) REFERENCES `inspectors`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `inspector_conflicts_pair` ON `inspector_conflicts` (`inspector_id`,`source_id`);--> statement-breakpoint
CREATE TABLE `inspectors` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`side` text NOT NULL,
	`agency_code` text NOT NULL,
	`team_id` text NOT NULL,
	`certificate_no` text NOT NULL,
	`certificate_valid_until` text NOT NULL,
	`expert` integer DEFAULT false NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`key_id` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `inspectors_agency` ON `inspectors` (`agency_code`,`id`);--> statement-breakpoint
CREATE INDEX `inspectors_key` ON `inspectors` (`key_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `inspectors_certificate` ON `inspectors` (`certificate_no`);--> statement-breakpoint
ALTER TABLE `pollution_sources` ADD `supervision_class` text;--> statement-breakpoint
ALTER TABLE `pollution_sources` ADD `supervision_class_set_on` text;--> statement-breakpoint
CREATE INDEX `sources_agency_class` ON `pollution_sources` (`agency_code`,`supervision_class`);