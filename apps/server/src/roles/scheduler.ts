import type { Config } from "../config.js";
import type { Logger } from "../infra/logger.js";
import { ExecutionBatches } from "../repositories/execution-batches.js";
import { ExecutionsRepository } from "../repositories/executions.js";
import { ExecutionEvents } from "../services/execution/channels.js";
import { ExecutionService } from "../services/execution/accept/execution-service.js";
import { InputValidator } from "../services/execution/accept/input-validation.js";
import { ExecutionSweeper } from "../services/execution/recovery/sweeper.js";
import { RunDispatcher } from "../services/execution/dispatcher.js";
import { SyncResults } from "../services/execution/accept/sync-results.js";
import { OrganizationsRepository } from "../repositories/organizations.js";
import { SchedulesRepository } from "../repositories/schedules.js";
import { RunnableWorkflows } from "../services/workflows/runnable-workflows.js";
import { WorkflowsRepository } from "../repositories/workflows.js";
import { ScheduleTicker } from "../services/schedules/ticker.js";
import { DeferredRunPromoter } from "../services/execution/recovery/promoter.js";
import { TempFilesCleanup } from "../services/files/temp-cleanup.js";
import { FormUploadsRepository } from "../repositories/form-uploads.js";
import { FormUploadsCleanup } from "../services/forms/form-uploads-cleanup.js";
import type { ScheduledJob } from "../services/scheduler/job.js";
import { JobRunner, LeaderElection } from "../services/scheduler/leader.js";
import { systemClock } from "../infra/clock.js";
import { EventsRepository } from "../repositories/events.js";
import { RetentionRepository } from "../repositories/retention.js";
import { EventDeliverer } from "../services/events/event-deliveries.js";
import { EventRetention, ExecutionRetention } from "../services/maintenance/retention.js";
import { SecretBox } from "../infra/crypto/secret-box.js";
import { OAuthRepository } from "../repositories/oauth.js";
import { oauthRefreshJob } from "../services/maintenance/oauth-refresh.js";
import { AccessTokens } from "../services/oauth/access-tokens.js";
import { mailOutboxFor } from "./mail.js";
import { outboundClientFor } from "./outbound.js";
import type { Infrastructure } from "./infrastructure.js";
import type { Running } from "./lifecycle.js";

/**
 * The scheduler role: the periodic jobs of one typed catalog. Any number of scheduler processes may
 * run; one is leader at a time (a bus lock, `services/scheduler/leader.ts`) and only the leader runs
 * the jobs. A job must be safe to repeat (a new leader may redo a pass the old one was in).
 */
export async function startScheduler(
  config: Config,
  logger: Logger,
  infra: Infrastructure,
): Promise<Running> {
  const db = infra.database.db;
  const executions = new ExecutionsRepository(db);
  const sweeper = new ExecutionSweeper({
    executions,
    queue: infra.queue,
    events: new ExecutionEvents(infra.bus, logger),
    logger,
    options: {
      intervalMs: Math.min(5_000, Math.max(1_000, Math.floor(config.execution.leaseMs / 6))),
      republishAfterMs: 60_000,
      cancelTimeoutMs: 3 * 60_000,
    },
  });
  await sweeper.prepare();
  const batches = new ExecutionBatches(db, config.execution.orgMaxConcurrentRuns);
  const dispatcher = new RunDispatcher({ batches, queue: infra.queue, logger });
  const runs = systemRuns(infra, { executions, batches, dispatcher }, logger);
  // Mail is sent here (every scheduler process consumes; retries are the leader's job).
  const mail = mailOutboxFor({
    db,
    queue: infra.queue,
    secretBox: new SecretBox(config.secretKey),
    mail: config.mail,
    outbound: outboundClientFor(config),
    logger,
  });
  await mail.start();

  /** The catalog: one entry per periodic job (name, interval, handler). Add new jobs here. */
  const catalog: ScheduledJob[] = [
    sweeper.job(),
    new DeferredRunPromoter({
      executions,
      dispatcher,
      events: new ExecutionEvents(infra.bus, logger),
      logger,
    }).job(),
    dispatcher.job(),
    mail.job(),
    // Hourly: temp files live 24 h, an hour late is fine, and each pass lists every temp file.
    new TempFilesCleanup({
      files: infra.files,
      clock: systemClock,
      logger,
      options: { intervalMs: 3600_000 },
    }).job(),
    // Hourly too: form uploads nobody submitted go 24 h after they were sent.
    new FormUploadsCleanup({
      files: infra.files,
      uploads: new FormUploadsRepository(db),
      clock: systemClock,
      logger,
      options: { intervalMs: 3600_000 },
    }).job(),
    new ScheduleTicker({
      schedules: new SchedulesRepository(db),
      startRun: (run) => runs.startSystemRun(run),
      clock: systemClock,
      logger,
    }).job(),
    new EventDeliverer({ events: new EventsRepository(db), runs, logger }).retryJob(),
    new EventRetention({ retention: new RetentionRepository(db), clock: systemClock, logger }).job(),
    oauthRefreshJob({
      tokens: new AccessTokens({
        oauth: new OAuthRepository(db),
        secretBox: new SecretBox(config.secretKey),
        bus: infra.bus,
        clock: systemClock,
        outbound: outboundClientFor(config),
      }),
      logger,
    }),
    new ExecutionRetention({
      retention: new RetentionRepository(db),
      files: infra.files,
      clock: systemClock,
      logger,
      retentionDays: config.retentionDays,
    }).job(),
  ];

  const runner = new JobRunner(catalog, logger);
  const election = new LeaderElection({
    bus: infra.bus,
    logger,
    onElected: () => runner.start(),
    // Losing the lock stops the jobs at once (runs in flight end by themselves).
    onDeposed: () => void runner.stop(),
  });
  election.start();
  logger.info({ jobs: catalog.map((j) => j.name) }, "scheduler ready");
  return {
    close: async () => {
      await election.stop();
      await runner.stop();
      await mail.stop();
    },
  };
}

/** The execute path as the scheduler's jobs use it: runs started as the system user (async only). */
function systemRuns(
  infra: Infrastructure,
  engine: { executions: ExecutionsRepository; batches: ExecutionBatches; dispatcher: RunDispatcher },
  logger: Logger,
): ExecutionService {
  const workflowRows = new WorkflowsRepository(infra.database.db);
  const organizations = new OrganizationsRepository(infra.database.db);
  return new ExecutionService({
    ...engine,
    workflows: new RunnableWorkflows({ workflows: workflowRows, organizations }),
    validator: new InputValidator(),
    queue: infra.queue,
    bus: infra.bus,
    events: new ExecutionEvents(infra.bus, logger),
    // Never started: system runs are async, nobody waits for their answer here.
    syncResults: new SyncResults(infra.bus, logger),
    logger,
  });
}
