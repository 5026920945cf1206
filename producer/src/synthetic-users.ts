import { NATIONALITIES, type Nationality, type RandomUser } from "./random-user.ts";
import type { Rng } from "./rng.ts";
import { PROFILES, splitName } from "./synthetic-nationalities.ts";

const YEAR_MS = 365.2425 * 86_400_000;
const ADJECTIVES = ["happy", "silver", "brown", "lazy", "tiny", "heavy", "organic", "crazy", "purple", "sad"];
const ANIMALS = ["tiger", "swan", "goose", "rabbit", "leopard", "frog", "bear", "koala", "ladybug", "fish"];
const WORDS = ["sunshine", "password", "dragon", "monkey", "shadow", "master", "qwerty", "letmein"];
const STREETS = ["Main", "Church", "Station", "Park", "Mill", "High"];

function asciiSlug(s: string): string {
  return s
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^A-Za-z0-9]+/g, "")
    .toLowerCase();
}

function isoOf(ms: number): string {
  return new Date(ms).toISOString();
}

function wholeYears(fromMs: number, toMs: number): number {
  const from = new Date(fromMs);
  const to = new Date(toMs);
  let years = to.getUTCFullYear() - from.getUTCFullYear();
  const beforeBirthday =
    to.getUTCMonth() < from.getUTCMonth() ||
    (to.getUTCMonth() === from.getUTCMonth() && to.getUTCDate() < from.getUTCDate());
  if (beforeBirthday) years -= 1;
  return years;
}

/**
 * One user shaped exactly like the API's (contract §1), secrets included, as the real API sends them:
 * the mapping is what drops them. `now` fixes dob/registered ages so a seed gives the same user.
 */
export function syntheticUser(rng: Rng, now: number, nat: Nationality = rng.pick(NATIONALITIES)): RandomUser {
  const p = PROFILES[nat];
  const gender = rng.next() < 0.5 ? "male" : "female";
  const [first, firstLatin] = splitName(rng.pick(gender === "male" ? p.male : p.female));
  const [last, lastLatin] = splitName(rng.pick(p.last));
  const [place, state] = rng.pick(p.places);
  const [city] = splitName(place);
  const [offset, description] = rng.pick(p.timezones);
  const dobMs = now - rng.int(18, 79) * YEAR_MS - rng.int(0, 364) * 86_400_000 - rng.int(0, 86_399_999);
  const registeredMs = now - rng.int(0, 20) * YEAR_MS - rng.int(0, 86_399_999);
  const password = `${rng.pick(WORDS)}${rng.int(1, 999)}`;
  const portrait = rng.int(0, 99);
  const title =
    gender === "male"
      ? rng.pick(nat === "FR" || nat === "CH" ? ["Monsieur", "Mr"] : ["Mr"])
      : rng.pick(nat === "FR" || nat === "CH" ? ["Madame", "Mademoiselle", "Ms"] : ["Ms", "Mrs", "Miss"]);
  return {
    gender,
    name: { title, first, last },
    location: {
      street: {
        number: rng.int(1, 9999),
        name: `${rng.pick(STREETS)} ${rng.pick(["Street", "Road", "Lane"])}`,
      },
      city,
      state,
      country: p.country,
      postcode: p.postcode(rng),
      coordinates: {
        latitude: (rng.next() * 180 - 90).toFixed(4),
        longitude: (rng.next() * 360 - 180).toFixed(4),
      },
      timezone: { offset, description },
    },
    email: `${asciiSlug(firstLatin)}.${asciiSlug(lastLatin)}@example.com`,
    login: {
      uuid: rng.uuid(),
      username: `${rng.pick(ADJECTIVES)}${rng.pick(ANIMALS)}${rng.int(100, 999)}`,
      password,
      salt: rng.hex(8),
      md5: rng.hex(32),
      sha1: rng.hex(40),
      sha256: rng.hex(64),
    },
    dob: { date: isoOf(Math.round(dobMs)), age: wholeYears(Math.round(dobMs), now) },
    registered: { date: isoOf(Math.round(registeredMs)), age: wholeYears(Math.round(registeredMs), now) },
    phone: p.phone(rng),
    cell: p.phone(rng),
    id: p.id(rng),
    picture: {
      large: `https://randomuser.me/api/portraits/${gender === "male" ? "men" : "women"}/${portrait}.jpg`,
      medium: `https://randomuser.me/api/portraits/med/${gender === "male" ? "men" : "women"}/${portrait}.jpg`,
      thumbnail: `https://randomuser.me/api/portraits/thumb/${gender === "male" ? "men" : "women"}/${portrait}.jpg`,
    },
    nat,
  };
}
