CREATE TABLE `audit_log` (
	`id` text PRIMARY KEY NOT NULL,
	`at` text NOT NULL,
	`key_id` text,
	`role` text,
	`side` text,
	`agency_code` text,
	`team_id` text,
	`method` text NOT NULL,
	`route` text,
	`path` text NOT NULL,
	`subject` text,
	`status` integer NOT NULL,
	`outcome` text NOT NULL,
	`request_id` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_at` ON `audit_log` (`at`,`id`);--> statement-breakpoint
CREATE INDEX `audit_key_at` ON `audit_log` (`key_id`,`at`);--> statement-breakpoint
CREATE INDEX `audit_subject_at` ON `audit_log` (`subject`,`at`);--> statement-breakpoint
CREATE TRIGGER `audit_log_no_update` BEFORE UPDATE ON `audit_log` BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `audit_log_no_delete` BEFORE DELETE ON `audit_log` BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
