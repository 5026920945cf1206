import type { User } from "../ports.ts";
import { Layout, PageHead } from "./layout.tsx";

export function displayName(u: User): string {
  const name = [u.firstName, u.lastName].filter(Boolean).join(" ");
  return name || u.username || u.eventId;
}

export function UserResults(props: { q: string; users: User[] }) {
  if (!props.q) return <p class="muted empty">Enter an event id (login.uuid) or an exact username.</p>;
  if (props.users.length === 0)
    return (
      <p class="muted empty">
        No stored user matches <code>{props.q}</code>.
      </p>
    );
  return (
    <table class="table">
      <thead>
        <tr>
          <th>Name</th>
          <th>Username</th>
          <th>Gender</th>
          <th>Nat</th>
          <th>City</th>
          <th class="num">Age</th>
          <th>Event id</th>
        </tr>
      </thead>
      <tbody>
        {props.users.map((u) => (
          <tr>
            <td>
              <a href={`/users/${encodeURIComponent(u.eventId)}`}>{displayName(u)}</a>
            </td>
            <td>{u.username ?? "—"}</td>
            <td>{u.gender ?? "—"}</td>
            <td>{u.nat ?? "—"}</td>
            <td>{[u.city, u.country].filter(Boolean).join(", ") || "—"}</td>
            <td class="num">{u.age ?? "—"}</td>
            <td>
              <code>{u.eventId}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function UsersPage(props: { q: string; users: User[] }) {
  return (
    <Layout title="Users" active="users">
      <PageHead title="Users" sub="Stored users from Cassandra; passwords and hashes are never stored" />
      <form
        class="toolbar"
        method="get"
        action="/users"
        hx-get="/users"
        hx-target="#results"
        hx-select="#results"
        hx-swap="outerHTML"
        hx-push-url="true"
      >
        <label class="grow">
          Event id or username
          <input
            name="q"
            value={props.q}
            placeholder="e.g. 7a0eed16-9430-4d68-901f-c0d4c1c3bf00 or bluefrog786"
            maxlength={200}
            autofocus
          />
        </label>
        <button type="submit" class="btn">
          Find
        </button>
      </form>
      <section class="card" id="results">
        <UserResults q={props.q} users={props.users} />
      </section>
    </Layout>
  );
}
