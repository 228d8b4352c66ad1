CREATE TABLE `consultation_decisions` (
	`id` text PRIMARY KEY NOT NULL,
	`consultation_id` text NOT NULL,
	`seq` integer NOT NULL,
	`text` text NOT NULL,
	`owner_agency_code` text NOT NULL,
	`owner_side` text NOT NULL,
	`due_on` text NOT NULL,
	`status` text NOT NULL,
	`overdue` integer NOT NULL,
	`overdue_at` text,
	`done_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `decisions_consultation` ON `consultation_decisions` (`consultation_id`,`seq`);--> statement-breakpoint
CREATE INDEX `decisions_open` ON `consultation_decisions` (`status`,`owner_agency_code`);--> statement-breakpoint
CREATE TABLE `consultations` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`title` text NOT NULL,
	`convener_agency_code` text NOT NULL,
	`convener_side` text NOT NULL,
	`agency_codes` text NOT NULL,
	`scheduled_at` text NOT NULL,
	`place` text,
	`agenda` text NOT NULL,
	`attendance` text NOT NULL,
	`carried_over` text,
	`status` text NOT NULL,
	`minutes` text,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `consultations_scheduled` ON `consultations` (`scheduled_at`,`id`);--> statement-breakpoint
CREATE INDEX `consultations_created` ON `consultations` (`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `decision_progress` (
	`id` text PRIMARY KEY NOT NULL,
	`decision_id` text NOT NULL,
	`text` text NOT NULL,
	`done` integer NOT NULL,
	`by_agency_code` text NOT NULL,
	`by_key_id` text NOT NULL,
	`at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `decision_progress_decision` ON `decision_progress` (`decision_id`,`at`);