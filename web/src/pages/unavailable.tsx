import { Layout, PageHead } from "./layout.tsx";

export function UnavailablePage(props: { reason: string }) {
  return (
    <Layout title="Storage unavailable" active="overview">
      <PageHead
        title="Storage unavailable"
        sub="This page needs Cassandra, which is not answering right now"
      />
      <section class="card alert">
        <p>{props.reason}</p>
        <p class="muted">
          Nothing is lost: the processor keeps its position and writes again when Cassandra is back. Live
          charts on the <a href="/">Overview</a> come from Kafka and keep moving. Reload this page in a few
          seconds.
        </p>
      </section>
    </Layout>
  );
}
