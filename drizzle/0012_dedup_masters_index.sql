DROP INDEX `complaints_dedup`;--> statement-breakpoint
CREATE INDEX `complaints_dedup_masters` ON `complaints` (`category`,`lat`,`lng`,`received_at`) WHERE "complaints"."duplicate_of" IS NULL;