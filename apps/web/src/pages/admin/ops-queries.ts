import type {
  ApiProcess,
  CreateEventSource,
  CreateSchedule,
  EventSource,
  PlatformQueue,
  PlatformWorker,
  ReceivedEvent,
  ReceivedEventWithDeliveries,
  Schedule,
  ScheduleValidation,
  UpdateSchedule,
} from "@bifrost/contracts";
import { useQuery } from "@tanstack/react-query";
import { apiFetch } from "../../api/client.js";
import { fetchAllPages, useCursorList } from "../../api/queries.js";
import { useSettled } from "../../lib/use-settled.js";

const enc = encodeURIComponent;

/* ---------- schedules ---------- */

/** What the ops lists live under: their writes refresh them. */
export const OPS_KEY = ["ops"] as const;

/** Every schedule (all pages of the list). */
export function useSchedules() {
  return useQuery({
    queryKey: ["ops", "schedules"],
    queryFn: ({ signal }) => fetchAllPages<Schedule>("/api/schedules", signal),
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

/** `POST /api/schedules/validate` of a cron and timezone, debounced as they are typed. */
export function useCronPreview(cron: string, timezone: string) {
  const settled = useSettled({ cron: cron.trim(), timezone }, 300);
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

/** Every webhook source (all pages of the list). */
export function useEventSources() {
  return useQuery({
    queryKey: ["ops", "event-sources"],
    queryFn: ({ signal }) => fetchAllPages<EventSource>("/api/events/sources", signal),
  });
}

export const createEventSource = (body: Partial<CreateEventSource> & { name: string }) =>
  apiFetch<EventSource>("/api/events/sources", { method: "POST", body });

export const deleteEventSource = (id: string) =>
  apiFetch<undefined>(`/api/events/sources/${enc(id)}`, { method: "DELETE" });

export function useSourceEvents(sourceId: string | null) {
  return useCursorList<ReceivedEvent>(
    [...OPS_KEY, "events", sourceId],
    `/api/events/sources/${enc(sourceId ?? "")}/events`,
    { limit: 25 },
    {
      enabled: sourceId !== null,
      // No realtime channel carries events: the list polls while it is shown, but only while one
      // page is loaded (a refetch of a paged list refetches every loaded page).
      refetchInterval: ({ pages }) => (pages > 1 ? false : 5_000),
    },
  );
}

export function useEvent(eventId: string | null) {
  return useQuery({
    queryKey: ["ops", "event", eventId],
    queryFn: () => apiFetch<ReceivedEventWithDeliveries>(`/api/events/${enc(eventId ?? "")}`),
    enabled: eventId !== null,
    // Deliveries start shortly after an event arrives: follow them until they settle.
    // A failed load (a stale `?event=` answers 404) stops the polling; "Try again" refetches.
    refetchInterval: (query) => {
      if (query.state.status === "error") return false;
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

/** Runs not ended per organization (waiting in its line, queued, running), refreshed every 2 s. */
export function useRunQueue() {
  return useQuery({
    queryKey: ["ops", "queue"],
    queryFn: () => apiFetch<PlatformQueue>("/api/platform/queue"),
    refetchInterval: 2_000,
  });
}

/** The API process that answers; what it found at start does not change while it runs. */
export function useApiProcess() {
  return useQuery({
    queryKey: ["ops", "api-process"],
    queryFn: () => apiFetch<ApiProcess>("/api/platform/api-process"),
    staleTime: Infinity,
  });
}
