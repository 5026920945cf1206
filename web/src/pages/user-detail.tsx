import { fmt1, fmtTime } from "../format.ts";
import type { User } from "../ports.ts";
import { Layout, PageHead } from "./layout.tsx";
import { displayName } from "./users.tsx";

function initials(u: User): string {
  return `${u.firstName?.[0] ?? ""}${u.lastName?.[0] ?? ""}`.toUpperCase() || "?";
}

export function UserDetailPage(props: { user: User }) {
  const u = props.user;
  const rows: [string, string][] = [
    ["Event id", u.eventId],
    ["Username", u.username ?? "—"],
    ["Email", u.email ?? "—"],
    ["Gender", u.gender ?? "—"],
    ["Age", u.age === null ? "—" : String(u.age)],
    ["Date of birth", fmtTime(u.dob)],
    ["Nationality", u.nat ?? "—"],
    ["Street", u.street ?? "—"],
    ["City", u.city ?? "—"],
    ["State", u.state ?? "—"],
    ["Country", u.country ?? "—"],
    ["Postcode", u.postcode ?? "—"],
    [
      "Coordinates",
      u.latitude === null || u.longitude === null ? "—" : `${fmt1(u.latitude)}, ${fmt1(u.longitude)}`,
    ],
    ["Timezone offset", u.timezoneOffset ?? "—"],
    // Only records written by user schema v2 on carry it: an older record shows no row rather than a blank.
    ...(u.timezoneDescription === null ? [] : [["Timezone", u.timezoneDescription] as [string, string]]),
    ["Phone", u.phone ?? "—"],
    ["Cell", u.cell ?? "—"],
    ["ID", [u.idName, u.idValue].filter(Boolean).join(" ") || "—"],
    ["Registered", fmtTime(u.registeredAt)],
    ["Event time", fmtTime(u.eventTime)],
    ["Source", u.source ?? "—"],
    [
      "Kafka position",
      u.kafkaPartition === null ? "—" : `partition ${u.kafkaPartition}, offset ${u.kafkaOffset ?? "—"}`,
    ],
  ];
  const name = displayName(u);
  return (
    <Layout title={name} active="users">
      <PageHead title={name} sub={[u.title, u.city, u.country].filter(Boolean).join(" · ")}>
        <a class="btn btn-ghost" href={`/api/users/${encodeURIComponent(u.eventId)}`}>
          JSON
        </a>
        <a class="btn btn-ghost" href="/users">
          Back to search
        </a>
      </PageHead>
      <section class="card profile">
        <div class="avatar" data-initials={initials(u)}>
          {u.picture && /^https:\/\//.test(u.picture) ? (
            <img src={u.picture} alt={`Portrait of ${name}`} class="portrait" referrerpolicy="no-referrer" />
          ) : null}
          <span class="initials">{initials(u)}</span>
        </div>
        <dl class="facts">
          {rows.map(([k, v]) => (
            <>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </>
          ))}
        </dl>
      </section>
    </Layout>
  );
}

export function UserNotFoundPage(props: { id: string }) {
  return (
    <Layout title="User not found" active="users">
      <PageHead title="User not found" />
      <section class="card">
        <p class="empty">
          No stored user has the event id <code>{props.id}</code>. <a href="/users">Search users</a>.
        </p>
      </section>
    </Layout>
  );
}
