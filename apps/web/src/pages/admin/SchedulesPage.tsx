export function SchedulesPage() {
  return (
    <section className="admin-page">
      <h1>Schedules</h1>
    </section>
  );
}
