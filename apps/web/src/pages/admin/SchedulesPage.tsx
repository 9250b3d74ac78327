import type { Schedule } from "@bifrost/contracts";
import "./admin.css";
import "./ops.css";
import { useState } from "react";
import { Link } from "react-router";
import { useAllWorkflows, useInvalidatingMutation, useOrganizationName } from "../../api/queries.js";
import {
  ActionError,
  Badge,
  Button,
  Card,
  ConfirmDialog,
  QueryView,
  Table,
} from "../../components/ui/index.js";
import { useOrgScope } from "../../shell/org-scope.js";
import { formatInZone } from "./ops/CronEditor.js";
import { ScheduleForm } from "./ops/ScheduleForm.js";
import { deleteSchedule, OPS_KEY, runScheduleNow, updateSchedule, useSchedules } from "./ops-queries.js";

const when = (iso: string | null, timezone: string) =>
  iso ? <time dateTime={iso}>{formatInZone(iso, timezone)}</time> : "—";

export function SchedulesPage() {
  const { scope } = useOrgScope();
  const schedules = useSchedules();
  const workflows = useAllWorkflows();
  const orgName = useOrganizationName();
  const [editing, setEditing] = useState<Schedule | null>(null);
  const [formKey, setFormKey] = useState(0);
  const [notice, setNotice] = useState("");
  const [deleting, setDeleting] = useState<Schedule | null>(null);
  const [started, setStarted] = useState<{ scheduleId: string; executionId: string } | null>(null);

  const toggle = useInvalidatingMutation(OPS_KEY, (s: Schedule) =>
    updateSchedule({ id: s.id, patch: { enabled: !s.enabled } }),
  );
  const remove = useInvalidatingMutation(OPS_KEY, (s: Schedule) => deleteSchedule(s.id));
  const runNow = useInvalidatingMutation(OPS_KEY, async (s: Schedule) => {
    const answer = await runScheduleNow(s);
    setStarted({ scheduleId: s.id, executionId: answer.executionId });
    return answer;
  });

  const workflowList = (workflows.data ?? []).filter((w) => w.type !== "data_provider");
  const workflowName = (id: string) => workflows.data?.find((w) => w.id === id)?.name ?? id;
  const scoped = (list: Schedule[]) => (scope ? list.filter((s) => s.organizationId === scope) : list);

  const done = (message: string) => {
    setEditing(null);
    setFormKey((k) => k + 1);
    setNotice(message);
  };

  return (
    <section className="admin-page ops-page">
      <h1>Schedules</h1>
      <Card title={editing ? `Edit schedule of ${workflowName(editing.workflowId)}` : "New schedule"}>
        <ScheduleForm
          key={editing ? editing.id : `new-${formKey}`}
          editing={editing}
          workflows={workflowList}
          defaultOrganizationId={scope}
          onDone={done}
        />
        {notice && (
          <p className="ops-notice" role="status">
            {notice}
          </p>
        )}
      </Card>
      <ActionError error={toggle.error ?? runNow.error} />
      {started && (
        <p className="ops-notice" role="status">
          Started a run of{" "}
          {workflowName(schedules.data?.find((s) => s.id === started.scheduleId)?.workflowId ?? "")}:{" "}
          <Link to={`/executions/${started.executionId}`}>open the execution</Link>
        </p>
      )}
      <Card title="Schedules">
        <QueryView
          query={schedules}
          what="the schedules"
          isEmpty={(data) => scoped(data).length === 0}
          emptyHint={scope ? "None in this organization. Create one above." : "Create one above."}
        >
          {(data) => (
            <Table
              caption="Schedules"
              rows={scoped(data)}
              rowKey={(s) => s.id}
              columns={[
                { header: "Workflow", cell: (s) => workflowName(s.workflowId) },
                { header: "Cron", cell: (s) => <code className="ops-mono">{s.cron}</code> },
                { header: "Timezone", cell: (s) => s.timezone },
                { header: "Organization", cell: (s) => orgName(s.organizationId) },
                {
                  header: "Status",
                  cell: (s) => (s.enabled ? <Badge tone="success">enabled</Badge> : <Badge>disabled</Badge>),
                },
                { header: "Next run", cell: (s) => (s.enabled ? when(s.nextRunAt, s.timezone) : "—") },
                { header: "Last run", cell: (s) => when(s.lastRunAt, s.timezone) },
                {
                  header: "Actions",
                  cell: (s) => {
                    const name = `${workflowName(s.workflowId)} (${s.cron})`;
                    return (
                      <div className="ops-actions">
                        <Button
                          variant="ghost"
                          onClick={() => setEditing(s)}
                          aria-label={`Edit schedule ${name}`}
                        >
                          Edit
                        </Button>
                        <Button
                          busy={toggle.isPending && toggle.variables.id === s.id}
                          onClick={() => toggle.mutate(s)}
                          aria-label={`${s.enabled ? "Disable" : "Enable"} schedule ${name}`}
                        >
                          {s.enabled ? "Disable" : "Enable"}
                        </Button>
                        <Button
                          busy={runNow.isPending && runNow.variables.id === s.id}
                          onClick={() => runNow.mutate(s)}
                          aria-label={`Run now: ${name}`}
                        >
                          Run now
                        </Button>
                        <Button
                          variant="danger"
                          onClick={() => setDeleting(s)}
                          aria-label={`Delete schedule ${name}`}
                        >
                          Delete
                        </Button>
                      </div>
                    );
                  },
                },
              ]}
            />
          )}
        </QueryView>
      </Card>
      <ConfirmDialog
        open={deleting !== null}
        onCancel={() => {
          setDeleting(null);
          remove.reset();
        }}
        title="Delete schedule"
        {...(deleting
          ? {
              description: `The schedule ${deleting.cron} of ${workflowName(deleting.workflowId)} stops firing and is removed.`,
            }
          : {})}
        busy={remove.isPending}
        error={remove.error}
        onConfirm={() =>
          deleting &&
          remove.mutate(deleting, {
            onSuccess: () => {
              if (editing?.id === deleting.id) done("");
              setDeleting(null);
            },
          })
        }
      />
    </section>
  );
}
