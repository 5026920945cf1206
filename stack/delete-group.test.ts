import { describe, expect, it } from "vitest";
import { deleteGroup } from "./delete-group.ts";

/** What the Kafka client throws when a group's DeleteGroups entry carries `code`. */
const answer = (group: string, code: number) =>
  Object.assign(new Error("Error in DeleteGroups"), {
    groups: [{ groupId: group, errorCode: code, error: Object.assign(new Error(`code ${code}`), { code }) }],
  });

function clock() {
  let t = 0;
  const waits: number[] = [];
  return {
    now: () => t,
    wait: async (ms: number) => {
      waits.push(ms);
      t += ms;
    },
    waits,
  };
}

describe("deleteGroup", () => {
  it("deletes a group the coordinator has", async () => {
    const asked: string[][] = [];
    expect(await deleteGroup(async (g) => asked.push(g), "g")).toBe("deleted");
    expect(asked).toEqual([["g"]]);
  });

  it("takes a group the coordinator does not know (GROUP_ID_NOT_FOUND) as nothing to remove", async () => {
    expect(
      await deleteGroup(async () => {
        throw answer("g", 69);
      }, "g"),
    ).toBe("absent");
  });

  it.each([14, 15, 16])(
    "retries a coordinator that is not ready yet (code %i) until it answers",
    async (code) => {
      const c = clock();
      let calls = 0;
      const outcome = await deleteGroup(
        async () => {
          if (++calls < 4) throw answer("g", code);
        },
        "g",
        c,
      );
      expect(outcome).toBe("deleted");
      expect(calls).toBe(4);
      expect(c.waits).toEqual([100, 200, 400]);
    },
  );

  it("gives up on a coordinator still loading after the bound, saying so", async () => {
    const c = clock();
    await expect(
      deleteGroup(
        async () => {
          throw answer("g", 14);
        },
        "g",
        { ...c, timeoutMs: 10_000 },
      ),
    ).rejects.toThrow(/^group g: the group coordinator was still not ready after 10 s \(Kafka error 14\)/);
    expect(c.now()).toBeGreaterThanOrEqual(10_000);
  });

  it("refuses a group with live members with what to do, and passes other errors on", async () => {
    await expect(
      deleteGroup(async () => {
        throw answer("g", 68);
      }, "g"),
    ).rejects.toThrow("group g has live members (a processor is running): stop it first, then reset again");
    const other = new Error("broker transport failure");
    await expect(
      deleteGroup(async () => {
        throw other;
      }, "g"),
    ).rejects.toBe(other);
  });
});
