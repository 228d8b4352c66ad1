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
CREATE TABLE `routing_rules` (
	`id` text PRIMARY KEY NOT NULL,
	`scope` text NOT NULL,
	`area_id` text,
	`agency_code` text,
	`category` text NOT NULL,
	`team_id` text NOT NULL,
	`created_at` text NOT NULL,
	`created_by` text,
	FOREIGN KEY (`area_id`) REFERENCES `areas`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`agency_code`) REFERENCES `agencies`(`code`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `routing_rules_scope_category` ON `routing_rules` (`scope`,`category`);--> statement-breakpoint
CREATE INDEX `routing_rules_created` ON `routing_rules` (`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `assignment_history` (
	`position` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`assignment_id` text NOT NULL,
	`at` text NOT NULL,
	`action` text NOT NULL,
	`status` text NOT NULL,
	`by_key_id` text,
	`by_role` text,
	`by_agency_code` text,
	`reason` text,
	FOREIGN KEY (`assignment_id`) REFERENCES `assignments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `assignment_history_assignment` ON `assignment_history` (`assignment_id`,`position`);--> statement-breakpoint
CREATE TABLE `assignments` (
	`id` text PRIMARY KEY NOT NULL,
	`subject_kind` text NOT NULL,
	`subject_id` text NOT NULL,
	`role` text NOT NULL,
	`status` text NOT NULL,
	`overdue` integer DEFAULT false NOT NULL,
	`team_id` text,
	`agency_code` text,
	`side` text,
	`category` text NOT NULL,
	`via` text NOT NULL,
	`area_id` text,
	`due_at` text NOT NULL,
	`claimed_at` text,
	`claimed_by` text,
	`completed_at` text,
	`completed_by` text,
	`completion_note` text,
	`declined_at` text,
	`declined_by` text,
	`decline_reason` text,
	`suggested_agency_code` text,
	`previous_id` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `assignments_subject` ON `assignments` (`subject_kind`,`subject_id`);--> statement-breakpoint
CREATE INDEX `assignments_team` ON `assignments` (`team_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `assignments_agency` ON `assignments` (`agency_code`,`created_at`);--> statement-breakpoint
CREATE INDEX `assignments_created` ON `assignments` (`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `complaint_counters` (
	`year` integer PRIMARY KEY NOT NULL,
	`last` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `complaints` (
	`id` text PRIMARY KEY NOT NULL,
	`number` text NOT NULL,
	`channel` text NOT NULL,
	`category` text NOT NULL,
	`description` text NOT NULL,
	`lat` real,
	`lng` real,
	`address` text,
	`admin_code` text,
	`occurred_at` text,
	`urgent` integer DEFAULT false NOT NULL,
	`source_id` text,
	`external_ref` text,
	`attachments` text NOT NULL,
	`reporter_enc` text,
	`reporter_anonymous` integer DEFAULT true NOT NULL,
	`query_code_hash` text NOT NULL,
	`status` text NOT NULL,
	`status_reason` text,
	`transferred_to` text,
	`received_at` text NOT NULL,
	`acceptance_due_at` text NOT NULL,
	`accepted_at` text,
	`reply_due_at` text,
	`extension_days` integer,
	`extension_reason` text,
	`extended_at` text,
	`overdue` integer DEFAULT false NOT NULL,
	`overdue_deadline` text,
	`overdue_at` text,
	`routed_at` text,
	`side` text,
	`agency_code` text,
	`team_id` text,
	`area_id` text,
	`grid_id` text,
	`joint` integer DEFAULT false NOT NULL,
	`triage` integer DEFAULT false NOT NULL,
	`started_at` text,
	`reply_text` text,
	`replied_at` text,
	`replied_by` text,
	`feedback_satisfied` integer,
	`feedback_comment` text,
	`closed_at` text,
	`closed_by` text,
	`close_reason` text,
	`duplicate_of` text,
	`created_by_key_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `complaints_number` ON `complaints` (`number`);--> statement-breakpoint
CREATE UNIQUE INDEX `complaints_external_ref` ON `complaints` (`channel`,`external_ref`);--> statement-breakpoint
CREATE INDEX `complaints_dedup` ON `complaints` (`category`,`lat`,`lng`,`received_at`);--> statement-breakpoint
CREATE INDEX `complaints_received` ON `complaints` (`received_at`,`id`);--> statement-breakpoint
CREATE INDEX `complaints_status` ON `complaints` (`status`,`received_at`);--> statement-breakpoint
CREATE INDEX `complaints_agency` ON `complaints` (`agency_code`,`received_at`);--> statement-breakpoint
CREATE INDEX `complaints_duplicate_of` ON `complaints` (`duplicate_of`);--> statement-breakpoint
CREATE INDEX `complaints_creator` ON `complaints` (`created_by_key_id`,`received_at`);--> statement-breakpoint
CREATE TABLE `pii_reads` (
	`id` text PRIMARY KEY NOT NULL,
	`key_id` text NOT NULL,
	`role` text NOT NULL,
	`complaint_id` text NOT NULL,
	`at` text NOT NULL,
	`via` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `pii_reads_at` ON `pii_reads` (`at`,`id`);--> statement-breakpoint
CREATE INDEX `pii_reads_complaint` ON `pii_reads` (`complaint_id`);--> statement-breakpoint
CREATE TABLE `deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`subscription_id` text NOT NULL,
	`kind` text NOT NULL,
	`event_id` text NOT NULL,
	`event_position` integer,
	`type` text NOT NULL,
	`subject` text NOT NULL,
	`envelope` text,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`max_attempts` integer NOT NULL,
	`next_attempt_at` text,
	`timer_seq` integer DEFAULT 0 NOT NULL,
	`last_status_code` integer,
	`last_error` text,
	`replay_id` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`delivered_at` text,
	FOREIGN KEY (`subscription_id`) REFERENCES `subscriptions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `deliveries_sub_created` ON `deliveries` (`subscription_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `deliveries_order` ON `deliveries` (`subscription_id`,`subject`,`status`,`event_position`);--> statement-breakpoint
CREATE TABLE `delivery_attempts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`delivery_id` text NOT NULL,
	`attempt` integer NOT NULL,
	`at` text NOT NULL,
	`status_code` integer,
	`duration_ms` integer NOT NULL,
	`error` text,
	`next_attempt_at` text,
	FOREIGN KEY (`delivery_id`) REFERENCES `deliveries`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `delivery_attempts_delivery` ON `delivery_attempts` (`delivery_id`,`attempt`);--> statement-breakpoint
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
CREATE TABLE `subscriptions` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_key_id` text NOT NULL,
	`owner_role` text NOT NULL,
	`owner_side` text,
	`owner_agency_code` text,
	`owner_team_id` text,
	`url` text NOT NULL,
	`types` text NOT NULL,
	`filter` text,
	`description` text,
	`secret` text NOT NULL,
	`previous_secret` text,
	`previous_secret_expires_at` text,
	`status` text NOT NULL,
	`disabled_reason` text,
	`disabled_at` text,
	`failing_since` text,
	`start_position` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text
);
--> statement-breakpoint
CREATE INDEX `subscriptions_owner` ON `subscriptions` (`owner_key_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `subscriptions_status` ON `subscriptions` (`status`);--> statement-breakpoint
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
CREATE INDEX `jobs_ready` ON `jobs` (`status`,`priority`,`created_at`,`run_at`);--> statement-breakpoint
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
CREATE INDEX `idem_created` ON `idempotency_keys` (`created_at`);--> statement-breakpoint
CREATE TABLE `case_access` (
	`case_id` text NOT NULL,
	`agency_code` text NOT NULL,
	`reason` text NOT NULL,
	`created_at` text NOT NULL,
	`lead_agency_code` text NOT NULL,
	`side` text NOT NULL,
	`status` text NOT NULL,
	`suspended_from` text,
	`category` text NOT NULL,
	`joint` integer NOT NULL,
	`source_id` text,
	`overdue_at` text,
	`registered_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`change_seq` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`case_id`, `agency_code`),
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `case_access_registered` ON `case_access` (`agency_code`,`registered_at`,`case_id`);--> statement-breakpoint
CREATE INDEX `case_access_updated` ON `case_access` (`agency_code`,`updated_at`,`case_id`);--> statement-breakpoint
CREATE INDEX `case_access_seq` ON `case_access` (`agency_code`,`change_seq`);--> statement-breakpoint
CREATE TABLE `case_changes` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`case_id` text NOT NULL,
	`at` text NOT NULL,
	`lead_agency_code` text NOT NULL,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `case_changes_case` ON `case_changes` (`case_id`);--> statement-breakpoint
CREATE INDEX `case_changes_lead` ON `case_changes` (`lead_agency_code`,`seq`);--> statement-breakpoint
CREATE TABLE `case_co_handling` (
	`case_id` text NOT NULL,
	`agency_code` text NOT NULL,
	`reason` text NOT NULL,
	`added_at` text NOT NULL,
	`lead_agency_code` text NOT NULL,
	`side` text NOT NULL,
	`status` text NOT NULL,
	`suspended_from` text,
	`category` text NOT NULL,
	`joint` integer NOT NULL,
	`source_id` text,
	`overdue_at` text,
	`registered_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`change_seq` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`case_id`, `agency_code`),
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `case_co_handling_registered` ON `case_co_handling` (`agency_code`,`registered_at`,`case_id`);--> statement-breakpoint
CREATE INDEX `case_co_handling_updated` ON `case_co_handling` (`agency_code`,`updated_at`,`case_id`);--> statement-breakpoint
CREATE INDEX `case_co_handling_seq` ON `case_co_handling` (`agency_code`,`change_seq`);--> statement-breakpoint
CREATE TABLE `case_complaints` (
	`case_id` text NOT NULL,
	`complaint_id` text NOT NULL,
	PRIMARY KEY(`case_id`, `complaint_id`),
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `case_complaints_complaint` ON `case_complaints` (`complaint_id`);--> statement-breakpoint
CREATE TABLE `case_counters` (
	`agency_code` text NOT NULL,
	`year` integer NOT NULL,
	`last` integer NOT NULL,
	PRIMARY KEY(`agency_code`, `year`)
);
--> statement-breakpoint
CREATE TABLE `case_former_agencies` (
	`case_id` text NOT NULL,
	`agency_code` text NOT NULL,
	`relation` text NOT NULL,
	`left_seq` integer NOT NULL,
	`change_seq` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`case_id`, `agency_code`, `relation`),
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `case_former_agency` ON `case_former_agencies` (`agency_code`,`change_seq`);--> statement-breakpoint
CREATE TABLE `case_measures` (
	`id` text PRIMARY KEY NOT NULL,
	`case_id` text NOT NULL,
	`type` text NOT NULL,
	`status` text NOT NULL,
	`amount_fen` integer,
	`legal_basis` text,
	`details` text NOT NULL,
	`extension_count` integer DEFAULT 0 NOT NULL,
	`lifted_at` text,
	`lift_reason` text,
	`created_by` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `case_measures_case` ON `case_measures` (`case_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `case_measures_type` ON `case_measures` (`type`,`case_id`);--> statement-breakpoint
CREATE TABLE `case_timeline` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`case_id` text NOT NULL,
	`seq` integer NOT NULL,
	`kind` text NOT NULL,
	`at` text NOT NULL,
	`actor` text,
	`actor_agency_code` text,
	`data` text NOT NULL,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `case_timeline_seq` ON `case_timeline` (`case_id`,`seq`);--> statement-breakpoint
CREATE INDEX `case_timeline_evidence` ON `case_timeline` (`case_id`,`kind`,`seq`);--> statement-breakpoint
CREATE TABLE `cases` (
	`id` text PRIMARY KEY NOT NULL,
	`number` text NOT NULL,
	`title` text NOT NULL,
	`category` text NOT NULL,
	`side` text NOT NULL,
	`lead_agency_code` text NOT NULL,
	`lead_team_id` text,
	`lat` real NOT NULL,
	`lng` real NOT NULL,
	`address` text,
	`area_id` text,
	`grid_id` text,
	`joint` integer DEFAULT false NOT NULL,
	`source_id` text,
	`party_name` text,
	`origin_kind` text NOT NULL,
	`summary` text NOT NULL,
	`status` text NOT NULL,
	`status_reason` text,
	`suspended_from` text,
	`decision` text,
	`transferred_from` text,
	`registered_at` text NOT NULL,
	`decision_due_at` text NOT NULL,
	`extension_count` integer DEFAULT 0 NOT NULL,
	`extensions` text NOT NULL,
	`overdue_at` text,
	`decided_at` text,
	`closed_at` text,
	`created_by` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `cases_number` ON `cases` (`number`);--> statement-breakpoint
CREATE INDEX `cases_registered` ON `cases` (`registered_at`,`id`);--> statement-breakpoint
CREATE INDEX `cases_updated` ON `cases` (`updated_at`,`id`);--> statement-breakpoint
CREATE INDEX `cases_lead_registered` ON `cases` (`lead_agency_code`,`registered_at`,`id`);--> statement-breakpoint
CREATE INDEX `cases_lead_updated` ON `cases` (`lead_agency_code`,`updated_at`,`id`);--> statement-breakpoint
CREATE INDEX `cases_lead_status_registered` ON `cases` (`lead_agency_code`,`status`,`registered_at`,`id`);--> statement-breakpoint
CREATE INDEX `cases_status_registered` ON `cases` (`status`,`registered_at`,`id`);--> statement-breakpoint
CREATE INDEX `cases_source` ON `cases` (`source_id`,`registered_at`,`id`);--> statement-breakpoint
CREATE INDEX `cases_category_registered` ON `cases` (`category`,`registered_at`,`id`);--> statement-breakpoint
CREATE INDEX `cases_overdue_registered` ON `cases` (`registered_at`,`id`) WHERE "cases"."overdue_at" is not null;--> statement-breakpoint
CREATE INDEX `cases_lead_overdue_registered` ON `cases` (`lead_agency_code`,`registered_at`,`id`) WHERE "cases"."overdue_at" is not null;--> statement-breakpoint
CREATE TABLE `pollution_sources` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`credit_code` text NOT NULL,
	`side` text NOT NULL,
	`agency_code` text NOT NULL,
	`lat` real NOT NULL,
	`lng` real NOT NULL,
	`address` text NOT NULL,
	`industry` text NOT NULL,
	`permit_number` text,
	`grid_id` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sources_credit_code` ON `pollution_sources` (`credit_code`);--> statement-breakpoint
CREATE INDEX `sources_name` ON `pollution_sources` (`name`,`id`);--> statement-breakpoint
CREATE INDEX `sources_agency` ON `pollution_sources` (`agency_code`,`name`,`id`);--> statement-breakpoint
CREATE INDEX `sources_grid` ON `pollution_sources` (`grid_id`,`name`,`id`);--> statement-breakpoint
CREATE TABLE `filing_comments` (
	`id` text PRIMARY KEY NOT NULL,
	`filing_id` text NOT NULL,
	`kind` text NOT NULL,
	`text` text NOT NULL,
	`agency_code` text,
	`by_key_id` text NOT NULL,
	`answers_id` text,
	`answered_at` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`filing_id`) REFERENCES `filings`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `filing_comments_filing` ON `filing_comments` (`filing_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `filings` (
	`id` text PRIMARY KEY NOT NULL,
	`case_id` text NOT NULL,
	`case_number` text NOT NULL,
	`from_agency_code` text NOT NULL,
	`from_side` text NOT NULL,
	`to_agency_code` text NOT NULL,
	`to_side` text NOT NULL,
	`trigger` text NOT NULL,
	`state_key` text NOT NULL,
	`measure_id` text,
	`reasons` text NOT NULL,
	`note` text,
	`category` text NOT NULL,
	`snapshot` text NOT NULL,
	`status` text NOT NULL,
	`created_at` text NOT NULL,
	`created_by` text,
	`ack_due_at` text NOT NULL,
	`escalate_at` text NOT NULL,
	`acknowledged_at` text,
	`acknowledged_by` text,
	`overdue_at` text,
	`escalated_at` text,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `filings_state` ON `filings` (`case_id`,`to_agency_code`,`trigger`,`state_key`);--> statement-breakpoint
CREATE INDEX `filings_created` ON `filings` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `filings_to` ON `filings` (`to_agency_code`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `filings_from` ON `filings` (`from_agency_code`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `filings_case` ON `filings` (`case_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `inbox_items` (
	`id` text PRIMARY KEY NOT NULL,
	`agency_code` text NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`subject` text NOT NULL,
	`filing_id` text,
	`ref_id` text,
	`notification_kind` text,
	`message` text NOT NULL,
	`data` text NOT NULL,
	`created_at` text NOT NULL,
	`read_at` text,
	`read_by` text
);
--> statement-breakpoint
CREATE INDEX `inbox_agency` ON `inbox_items` (`agency_code`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `inbox_agency_unread` ON `inbox_items` (`agency_code`,`read_at`,`created_at`);--> statement-breakpoint
CREATE INDEX `inbox_filing` ON `inbox_items` (`filing_id`,`kind`);--> statement-breakpoint
CREATE INDEX `inbox_ref` ON `inbox_items` (`ref_id`);