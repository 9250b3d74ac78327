export function FormRunPage() {
  return (
    <section>
      <h1>Form</h1>
    </section>
  );
}
