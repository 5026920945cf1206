import { Layout, PageHead } from "./layout.tsx";

export function UnavailablePage(props: { reason: string; what?: "Kafka" | "registry" }) {
  if (props.what === "registry") {
    return (
      <Layout title="Schema registry unavailable" active="schemas">
        <PageHead
          title="Schema registry unavailable"
          sub="This page reads the schema registry, which is not answering"
        />
        <section class="card alert">
          <p>{props.reason}</p>
          <p class="muted">Reload in a few seconds.</p>
        </section>
      </Layout>
    );
  }
  if (props.what === "Kafka") {
    return (
      <Layout title="Kafka unavailable" active="overview">
        <PageHead
          title="Kafka unavailable"
          sub="This page reads topics, and Kafka is not answering this process"
        />
        <section class="card alert">
          <p>{props.reason}</p>
          <p class="muted">
            Under Bun the web tier has no Kafka client (librdkafka needs Node): <code>bun run web</code>{" "}
            serves this page. Otherwise reload in a few seconds.
          </p>
        </section>
      </Layout>
    );
  }
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
