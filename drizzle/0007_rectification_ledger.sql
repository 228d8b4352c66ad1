CREATE TABLE `rectification_progress` (
	`id` text PRIMARY KEY NOT NULL,
	`task_id` text NOT NULL,
	`week_of` text NOT NULL,
	`period_end` text NOT NULL,
	`status` text NOT NULL,
	`text` text NOT NULL,
	`evidence` text NOT NULL,
	`by_key_id` text NOT NULL,
	`by_agency_code` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`task_id`) REFERENCES `rectification_tasks`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rprogress_week` ON `rectification_progress` (`task_id`,`week_of`);--> statement-breakpoint
CREATE TABLE `rectification_reviews` (
	`id` text PRIMARY KEY NOT NULL,
	`task_id` text NOT NULL,
	`action` text NOT NULL,
	`by_agency_code` text,
	`by_key_id` text,
	`text` text,
	`reasons` text NOT NULL,
	`evidence` text NOT NULL,
	`at` text NOT NULL,
	FOREIGN KEY (`task_id`) REFERENCES `rectification_tasks`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `rreviews_task` ON `rectification_reviews` (`task_id`,`at`);--> statement-breakpoint
CREATE TABLE `rectification_tasks` (
	`id` text PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`title` text NOT NULL,
	`origin` text NOT NULL,
	`kind` text NOT NULL,
	`lead_agency_code` text NOT NULL,
	`lead_side` text NOT NULL,
	`co_agency_codes` text NOT NULL,
	`supervising_agency_code` text NOT NULL,
	`responsible_person` text NOT NULL,
	`measures` text NOT NULL,
	`target` text NOT NULL,
	`due_on` text NOT NULL,
	`milestones` text NOT NULL,
	`status` text NOT NULL,
	`overdue` integer NOT NULL,
	`overdue_at` text,
	`missed_weeks` text NOT NULL,
	`listed_supervision_by` text,
	`listed_supervision_at` text,
	`notice_ends_on` text,
	`closed_off_at` text,
	`reopen_count` integer NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rtasks_code` ON `rectification_tasks` (`code`);--> statement-breakpoint
CREATE INDEX `rtasks_created` ON `rectification_tasks` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `rtasks_lead` ON `rectification_tasks` (`lead_agency_code`,`created_at`);--> statement-breakpoint
CREATE INDEX `rtasks_status` ON `rectification_tasks` (`status`,`created_at`);