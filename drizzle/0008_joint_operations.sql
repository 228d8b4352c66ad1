CREATE TABLE `joint_operations` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`side` text NOT NULL,
	`lead_agency_code` text NOT NULL,
	`partner_agency_codes` text NOT NULL,
	`window_from` text NOT NULL,
	`window_to` text NOT NULL,
	`focus` text NOT NULL,
	`team_ids` text NOT NULL,
	`note` text,
	`status` text NOT NULL,
	`confirmed_at` text,
	`confirmed_by` text,
	`confirmed_by_agency_code` text,
	`summary` text,
	`closed_at` text,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `joint_operations_created` ON `joint_operations` (`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `operation_tasks` (
	`id` text PRIMARY KEY NOT NULL,
	`operation_id` text NOT NULL,
	`position` integer NOT NULL,
	`source_id` text NOT NULL,
	`source_side` text NOT NULL,
	`source_agency_code` text NOT NULL,
	`team_ids` text NOT NULL,
	`status` text NOT NULL,
	`due_at` text NOT NULL,
	`inspection_date` text,
	`results` text,
	`officers_present` text,
	`evidence` text,
	`outcome` text,
	`rectification` text,
	`case_id` text,
	`recorded_at` text,
	`recorded_by` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`operation_id`) REFERENCES `joint_operations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `operation_tasks_operation` ON `operation_tasks` (`operation_id`,`position`);