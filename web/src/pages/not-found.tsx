import { Layout, PageHead } from "./layout.tsx";

export function NotFoundPage(props: { what: string; back: string }) {
  return (
    <Layout title="Not found" active="ingestion">
      <PageHead title="Not found" sub={props.what} />
      <section class="card">
        <p>
          <a href={props.back}>← back</a>
        </p>
      </section>
    </Layout>
  );
}
