-- Bulk inserts of documents are common (insertBatch): refresh the planner's statistics after 2 % of
-- the table changed (default 10 %), so a query on a freshly loaded table uses the GIN index.
ALTER TABLE "documents" SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 1000);
