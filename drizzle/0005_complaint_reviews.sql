CREATE TABLE `complaint_reviews` (
	`id` text PRIMARY KEY NOT NULL,
	`complaint_id` text NOT NULL,
	`stage` text NOT NULL,
	`agency_code` text NOT NULL,
	`reviewed_agency_code` text NOT NULL,
	`requested_at` text NOT NULL,
	`requested_via` text NOT NULL,
	`requested_by` text NOT NULL,
	`reason` text NOT NULL,
	`due_at` text NOT NULL,
	`overdue` integer DEFAULT false NOT NULL,
	`overdue_at` text,
	`opinion` text,
	`outcome` text,
	`opinion_at` text,
	`opinion_by` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `complaint_reviews_stage` ON `complaint_reviews` (`complaint_id`,`stage`);--> statement-breakpoint
ALTER TABLE `complaints` ADD `review_requestable_until` text;--> statement-breakpoint
ALTER TABLE `complaints` ADD `reopened_at` text;--> statement-breakpoint
ALTER TABLE `complaints` ADD `reopen_reason` text;