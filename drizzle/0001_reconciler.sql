CREATE TABLE `job_failures` (
	`job_id` text PRIMARY KEY NOT NULL,
	`failed_at` text NOT NULL
);
--> statement-breakpoint
ALTER TABLE `timers` ADD `reconciled_at` text;--> statement-breakpoint
CREATE INDEX `timers_unreconciled` ON `timers` (`fired_at`) WHERE "timers"."fired_at" IS NOT NULL AND "timers"."reconciled_at" IS NULL AND "timers"."cancelled_at" IS NULL;--> statement-breakpoint
-- Timers fired before the reconciler existed were handed off as before; it starts with what fires from now on.
UPDATE `timers` SET `reconciled_at` = `fired_at` WHERE `fired_at` IS NOT NULL;
