import {
  executionStatuses,
  type ExecutionSummary,
  type WsServerMessage,
  wsChannels,
} from "@bifrost/contracts";
import { useQueryClient, type InfiniteData } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { Link } from "react-router";
import { useCursorList, type ListParams, type Page } from "../../api/queries.js";
import { useRealtime } from "../../api/realtime.js";
import {
  Table,
  Button,
  Field,
  Input,
  LoadMore,
  Options,
  QueryView,
  Select,
} from "../../components/ui/index.js";
import { useAuth, useMe } from "../../shell/auth.js";
import { useOrgScope } from "../../shell/org-scope.js";
import { formatDuration, formatTime, startedHow, StatusBadge } from "./StatusBadge.js";
import "./executions.css";

type Filters = { status: string; workflowName: string; since: string; until: string };
const EMPTY: Filters = { status: "", workflowName: "", since: "", until: "" };

/** The list's query-string parameters (dates as ISO instants). */
function listParams(filters: Filters, scope: string | null): ListParams {
  return {
    limit: 50,
    scope,
    status: filters.status,
    workflowName: filters.workflowName.trim(),
    since: filters.since && new Date(filters.since).toISOString(),
    until: filters.until && new Date(filters.until).toISOString(),
  };
}

export function ExecutionListPage() {
  const me = useMe();
  const queryClient = useQueryClient();
  const { isPlatformAdmin } = useAuth();
  const orgScope = useOrgScope().scope;
  // A platform admin who picked an organization in the header sees that organization's runs.
  const scope = isPlatformAdmin ? orgScope : null;
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const key = ["executions", "list"] as const;
  const list = useCursorList<ExecutionSummary>(key, "/api/executions", listParams(filters, scope));

  // A known run changes in place; a new one refetches the list, at most once a second.
  const refetchTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(
    () => () => {
      clearTimeout(refetchTimer.current);
      refetchTimer.current = undefined;
    },
    [],
  );
  const onMessage = (message: WsServerMessage) => {
    if (message.type !== "history_update") return;
    // Runs of other organizations are not in a scoped list: neither patched nor a reason to refetch.
    if (scope && message.organizationId !== scope) return;
    let known = false;
    // Every cached page of the history (the key's prefix), whatever its filters.
    queryClient.setQueriesData<InfiniteData<Page<ExecutionSummary>>>({ queryKey: key }, (data) => {
      if (!data) return data;
      return {
        ...data,
        pages: data.pages.map((page) => ({
          ...page,
          items: page.items.map((item) => {
            if (item.id !== message.executionId) return item;
            known = true;
            return { ...item, status: message.status, durationMs: message.durationMs ?? item.durationMs };
          }),
        })),
      };
    });
    if (!known && !refetchTimer.current) {
      refetchTimer.current = setTimeout(() => {
        refetchTimer.current = undefined;
        void queryClient.invalidateQueries({ queryKey: key });
      }, 1000);
    }
  };
  const channel = me.data
    ? me.data.isSuperuser
      ? wsChannels.historyGlobal
      : wsChannels.historyOfUser(me.data.id)
    : null;
  useRealtime(channel ? [channel] : [], onMessage);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setFilters(draft);
  };
  const set = (field: keyof Filters) => (e: { target: { value: string } }) =>
    setDraft({ ...draft, [field]: e.target.value });

  return (
    <section className="ex-page">
      <h1>Executions</h1>
      <form className="ex-filters" onSubmit={submit} role="search" aria-label="Filter executions">
        <Field label="Status">
          {(ids) => (
            <Select {...ids} value={draft.status} onChange={set("status")}>
              <option value="">All</option>
              <option value="Scheduled,Pending,Running,Cancelling">Active</option>
              <Options values={executionStatuses} />
            </Select>
          )}
        </Field>
        <Field label="Workflow">
          {(ids) => (
            <Input
              {...ids}
              type="text"
              value={draft.workflowName}
              onChange={set("workflowName")}
              placeholder="name"
            />
          )}
        </Field>
        <Field label="Since">
          {(ids) => <Input {...ids} type="datetime-local" value={draft.since} onChange={set("since")} />}
        </Field>
        <Field label="Until">
          {(ids) => <Input {...ids} type="datetime-local" value={draft.until} onChange={set("until")} />}
        </Field>
        <Button type="submit">Apply</Button>
      </form>
      <QueryView
        query={list}
        what="the executions"
        isEmpty={(data) => data.pages.every((page) => page.items.length === 0)}
        empty={filters === EMPTY ? "No executions yet." : "No executions match these filters."}
      >
        {(data) => (
          <>
            <Table
              caption="Executions"
              rows={data.pages.flatMap((page) => page.items)}
              rowKey={(e) => e.id}
              rowAttributes={(e) => ({ "data-execution-id": e.id })}
              columns={[
                {
                  header: "Workflow",
                  cell: (e) => <Link to={`/executions/${e.id}`}>{e.workflowName}</Link>,
                },
                { header: "Status", cell: (e) => <StatusBadge status={e.status} /> },
                {
                  header: "Started by",
                  cell: (e) => (
                    <>
                      {e.executedByName} <span className="ex-muted">({startedHow(e)})</span>
                    </>
                  ),
                },
                { header: "Created", cell: (e) => formatTime(e.createdAt) },
                { header: "Duration", cell: (e) => formatDuration(e.durationMs) },
              ]}
            />
            <LoadMore query={list} />
          </>
        )}
      </QueryView>
    </section>
  );
}
