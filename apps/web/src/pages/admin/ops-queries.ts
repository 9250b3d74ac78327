import type {
  CreateEventSource,
  CreateSchedule,
  EventSource,
  PlatformWorker,
  ReceivedEvent,
  ReceivedEventWithDeliveries,
  Schedule,
  ScheduleValidation,
  UpdateSchedule,
  Workflow,
} from "@bifrost/contracts";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { apiFetch } from "../../api/client.js";
import type { Page } from "./queries.js";

const enc = encodeURIComponent;

/* ---------- schedules ---------- */

export function useSchedules() {
  return useQuery({
    queryKey: ["ops", "schedules"],
    queryFn: () => apiFetch<Page<Schedule>>("/api/schedules?limit=1000"),
  });
}

export function useWorkflowOptions() {
  return useQuery({
    queryKey: ["ops", "workflows"],
    queryFn: () => apiFetch<Page<Workflow>>("/api/workflows?limit=1000"),
  });
}

/** A write that refreshes the ops lists once it succeeds. */
export function useOpsAction<V, R>(run: (variables: V) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSuccess: () => client.invalidateQueries({ queryKey: ["ops"] }),
  });
}

export const createSchedule = (body: CreateSchedule) =>
  apiFetch<Schedule>("/api/schedules", { method: "POST", body });

export const updateSchedule = ({ id, patch }: { id: string; patch: UpdateSchedule }) =>
  apiFetch<Schedule>(`/api/schedules/${enc(id)}`, { method: "PATCH", body: patch });

export const deleteSchedule = (id: string) =>
  apiFetch<undefined>(`/api/schedules/${enc(id)}`, { method: "DELETE" });

/** Runs a schedule's workflow once now, with its input and organization. */
export const runScheduleNow = (schedule: Schedule) =>
  apiFetch<{ executionId: string; status: string }>("/api/workflows/execute", {
    method: "POST",
    body: {
      workflowId: schedule.workflowId,
      inputData: schedule.inputData,
      organizationId: schedule.organizationId,
    },
  });

/** A value that follows `value` once it has stopped changing for `ms`. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** `POST /api/schedules/validate` of a cron and timezone, debounced as they are typed. */
export function useCronPreview(cron: string, timezone: string) {
  const settled = useDebounced({ cron: cron.trim(), timezone }, 300);
  return useQuery({
    queryKey: ["ops", "cron-preview", settled.cron, settled.timezone],
    queryFn: ({ signal }) =>
      apiFetch<ScheduleValidation>("/api/schedules/validate", {
        method: "POST",
        body: { cron: settled.cron, timezone: settled.timezone },
        signal,
      }),
    enabled: settled.cron.length > 0,
    staleTime: 30_000,
  });
}

/* ---------- webhooks ---------- */

export function useEventSources() {
  return useQuery({
    queryKey: ["ops", "event-sources"],
    queryFn: () => apiFetch<Page<EventSource>>("/api/events/sources?limit=1000"),
  });
}

export const createEventSource = (body: Partial<CreateEventSource> & { name: string }) =>
  apiFetch<EventSource>("/api/events/sources", { method: "POST", body });

export const deleteEventSource = (id: string) =>
  apiFetch<undefined>(`/api/events/sources/${enc(id)}`, { method: "DELETE" });

export function useSourceEvents(sourceId: string | null) {
  return useInfiniteQuery({
    queryKey: ["ops", "events", sourceId],
    queryFn: ({ pageParam }) =>
      apiFetch<Page<ReceivedEvent>>(
        `/api/events/sources/${enc(sourceId ?? "")}/events?limit=25${pageParam ? `&cursor=${enc(pageParam)}` : ""}`,
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: sourceId !== null,
    // No realtime channel carries events: the list polls while it is shown.
    refetchInterval: 5_000,
  });
}

export function useEvent(eventId: string | null) {
  return useQuery({
    queryKey: ["ops", "event", eventId],
    queryFn: () => apiFetch<ReceivedEventWithDeliveries>(`/api/events/${enc(eventId ?? "")}`),
    enabled: eventId !== null,
    // Deliveries start shortly after an event arrives: follow them until they settle.
    refetchInterval: (query) => {
      const event = query.state.data;
      const settling =
        !event || event.status === "received" || event.deliveries.some((d) => d.status === "pending");
      return settling ? 2_000 : false;
    },
  });
}

export const retryDelivery = (deliveryId: string) =>
  apiFetch<unknown>(`/api/events/deliveries/${enc(deliveryId)}/retry`, { method: "POST" });

/* ---------- workers ---------- */

export function usePlatformWorkers() {
  return useQuery({
    queryKey: ["ops", "workers"],
    queryFn: () => apiFetch<{ items: PlatformWorker[] }>("/api/platform/workers"),
  });
}
