CREATE TABLE `calendar_years` (
	`year` integer PRIMARY KEY NOT NULL,
	`off` text NOT NULL,
	`work` text NOT NULL,
	`official` integer NOT NULL,
	`source` text NOT NULL,
	`imported_at` text NOT NULL,
	`imported_by` text NOT NULL
);
