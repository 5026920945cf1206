import type { Nationality } from "./random-user.ts";
import type { Rng } from "./rng.ts";

// What the Random User API serves per nationality, close enough to be mistaken for it: names in the
// nationality's script (a "native/latin" pair where the e-mail needs a transliteration), places, postcode
// shapes (a number for most, a string for GB, CA, IE, NL and some BR), phone shapes, national ids (value
// null where the API has none) and time zones.
export interface NationalityProfile {
  country: string;
  male: readonly string[];
  female: readonly string[];
  last: readonly string[];
  places: readonly (readonly [city: string, state: string])[];
  postcode: (r: Rng) => string | number;
  phone: (r: Rng) => string;
  id: (r: Rng) => { name: string; value: string | null };
  timezones: readonly (readonly [offset: string, description: string])[];
}

const d = (r: Rng, n: number): string => {
  let s = "";
  for (let i = 0; i < n; i++) s += String(r.int(0, 9));
  return s;
};
const L = (r: Rng): string => String.fromCharCode(65 + r.int(0, 25));
const num = (r: Rng, min: number, max: number): number => r.int(min, max);

const EU_TZ = [["+1:00", "Brussels, Copenhagen, Madrid, Paris"]] as const;
const NONE = () => ({ name: "", value: null });

export const PROFILES: Record<Nationality, NationalityProfile> = {
  AU: {
    country: "Australia",
    male: ["Jack", "Oliver", "Lachlan", "Riley", "Noah"],
    female: ["Charlotte", "Mia", "Isla", "Ruby", "Zoe"],
    last: ["Smith", "Wilson", "Taylor", "O'Connor", "Nguyen"],
    places: [
      ["Wollongong", "New South Wales"],
      ["Bendigo", "Victoria"],
      ["Cairns", "Queensland"],
      ["Bunbury", "Western Australia"],
    ],
    postcode: (r) => num(r, 800, 7999),
    phone: (r) => `0${r.int(2, 8)}-${d(r, 4)}-${d(r, 4)}`,
    id: (r) => ({ name: "TFN", value: d(r, 9) }),
    timezones: [["+10:00", "Eastern Australia, Guam, Vladivostok"]],
  },
  BR: {
    country: "Brazil",
    male: ["João", "Luís", "Caio", "Otávio", "Antônio"],
    female: ["Léa", "Luíza", "Conceição", "Ândria", "Iara"],
    last: ["Araújo", "Gonçalves", "Ribeiro", "da Conceição", "Fogaça"],
    places: [
      ["Juiz de Fora", "Minas Gerais"],
      ["São José de Ribamar", "Maranhão"],
      ["Ilhéus", "Bahia"],
      ["Maringá", "Paraná"],
    ],
    postcode: (r) => (r.next() < 0.5 ? num(r, 10000, 99999) : `${d(r, 5)}-${d(r, 3)}`),
    phone: (r) => `(${d(r, 2)}) ${d(r, 4)}-${d(r, 4)}`,
    id: (r) => ({ name: "CPF", value: `${d(r, 3)}.${d(r, 3)}.${d(r, 3)}-${d(r, 2)}` }),
    timezones: [["-3:00", "Brazil, Buenos Aires, Georgetown"]],
  },
  CA: {
    country: "Canada",
    male: ["Liam", "Félix", "Nathan", "Elijah", "Zachary"],
    female: ["Chloé", "Emma", "Maëlle", "Sophie", "Olivia"],
    last: ["Tremblay", "Gagnon", "Roy", "Côté", "MacDonald"],
    places: [
      ["Trois-Rivières", "Québec"],
      ["Red Deer", "Alberta"],
      ["Kingston", "Ontario"],
      ["Nanaimo", "British Columbia"],
    ],
    postcode: (r) => `${L(r)}${d(r, 1)}${L(r)} ${d(r, 1)}${L(r)}${d(r, 1)}`,
    phone: (r) => `${d(r, 3)}-${d(r, 3)}-${d(r, 4)}`,
    id: (r) => ({ name: "SIN", value: d(r, 9) }),
    timezones: [["-5:00", "Eastern Time (US & Canada), Bogota, Lima"]],
  },
  CH: {
    country: "Switzerland",
    male: ["Noé", "Luca", "Ruben", "Frédéric", "Jürg"],
    female: ["Anaïs", "Léonie", "Chiara", "Zoé", "Mélina"],
    last: ["Müller", "Fontaine", "Rochat", "Bertrand", "Leclerc"],
    places: [
      ["Neuchâtel", "Neuchâtel"],
      ["Zürich", "Zürich"],
      ["Lugano", "Ticino"],
      ["Genève", "Genève"],
    ],
    postcode: (r) => num(r, 1000, 9658),
    phone: (r) => `07${d(r, 1)} ${d(r, 3)} ${d(r, 2)} ${d(r, 2)}`,
    id: (r) => ({ name: "AVS", value: `756.${d(r, 4)}.${d(r, 4)}.${d(r, 2)}` }),
    timezones: EU_TZ,
  },
  DE: {
    country: "Germany",
    male: ["Jürgen", "Lukas", "Björn", "Jörg", "Maximilian"],
    female: ["Jördis", "Hannelore", "Lina", "Ümran", "Käthe"],
    last: ["Müller", "Schäfer", "Weiß", "Groß", "Köhler"],
    places: [
      ["Würzburg", "Bayern"],
      ["Düsseldorf", "Nordrhein-Westfalen"],
      ["Görlitz", "Sachsen"],
      ["Lübeck", "Schleswig-Holstein"],
    ],
    postcode: (r) => num(r, 1067, 99998),
    phone: (r) => `0${d(r, 3)}-${d(r, 7)}`,
    id: (r) => ({ name: "SVNR", value: `${d(r, 2)} ${d(r, 6)} ${L(r)} ${d(r, 3)}` }),
    timezones: EU_TZ,
  },
  DK: {
    country: "Denmark",
    male: ["Søren", "Mads", "Asger", "Jørgen", "Frederik"],
    female: ["Sofie", "Freja", "Astrid", "Mathilde", "Ærtebølle"],
    last: ["Jensen", "Sørensen", "Mølgaard", "Ågård", "Kjær"],
    places: [
      ["Århus C.", "Midtjylland"],
      ["Københaven", "Hovedstaden"],
      ["Nørre Alslev", "Sjælland"],
      ["Aalborg S.Ø.", "Nordjylland"],
    ],
    postcode: (r) => num(r, 1000, 9990),
    phone: (r) => `${d(r, 8)}`,
    id: (r) => ({ name: "CPR", value: `${d(r, 6)}-${d(r, 4)}` }),
    timezones: EU_TZ,
  },
  ES: {
    country: "Spain",
    male: ["José", "Adrián", "Íñigo", "Rubén", "Jesús"],
    female: ["María", "Lucía", "Begoña", "Ainhoa", "Inés"],
    last: ["Núñez", "Gómez", "Peña", "Ibáñez", "Muñoz"],
    places: [
      ["Alcalá de Henares", "Comunidad de Madrid"],
      ["Logroño", "La Rioja"],
      ["Málaga", "Andalucía"],
      ["Córdoba", "Andalucía"],
    ],
    postcode: (r) => num(r, 1001, 52080),
    phone: (r) => `9${d(r, 2)}-${d(r, 3)}-${d(r, 3)}`,
    id: (r) => ({ name: "DNI", value: `${d(r, 8)}-${L(r)}` }),
    timezones: EU_TZ,
  },
  FI: {
    country: "Finland",
    male: ["Väinö", "Eetu", "Onni", "Jääkko", "Aatu"],
    female: ["Siiri", "Aino", "Hilla", "Pihla", "Eevi"],
    last: ["Mäkinen", "Heikkilä", "Äijälä", "Kärkkäinen", "Lehtonen"],
    places: [
      ["Jyväskylä", "Central Finland"],
      ["Hämeenlinna", "Tavastia Proper"],
      ["Mänttä-Vilppula", "Pirkanmaa"],
      ["Oulu", "Northern Ostrobothnia"],
    ],
    postcode: (r) => num(r, 10000, 99990),
    phone: (r) => `0${d(r, 1)}-${d(r, 3)}-${d(r, 3)}`,
    id: (r) => ({ name: "HETU", value: `NaNNA${d(r, 3)}undefined` }),
    timezones: [["+2:00", "Kaliningrad, South Africa"]],
  },
  FR: {
    country: "France",
    male: ["Éric", "Noël", "Théo", "Loïc", "Jérôme"],
    female: ["Éloïse", "Anaïs", "Maëlys", "Hélène", "Léna"],
    last: ["Lefèvre", "D'Arcy", "Gauthier", "Bonnet", "Lemaître"],
    places: [
      ["Saint-Étienne", "Loire"],
      ["Besançon", "Doubs"],
      ["Nîmes", "Gard"],
      ["Aix-en-Provence", "Bouches-du-Rhône"],
    ],
    postcode: (r) => num(r, 1000, 95999),
    phone: (r) => `0${r.int(1, 5)}-${d(r, 2)}-${d(r, 2)}-${d(r, 2)}-${d(r, 2)}`,
    id: (r) => ({ name: "INSEE", value: `${r.int(1, 2)}${d(r, 12)} ${d(r, 2)}` }),
    timezones: EU_TZ,
  },
  GB: {
    country: "United Kingdom",
    male: ["Harry", "George", "Callum", "Rhys", "Seán"],
    female: ["Amelia", "Isla", "Niamh", "Sian", "Chloë"],
    last: ["Smith", "O'Neill", "Davies", "MacLeod", "Ap Rhys"],
    places: [
      ["London", "Greater London"],
      ["Milton Keynes", "Buckinghamshire"],
      ["Stoke-on-Trent", "Staffordshire"],
      ["St Albans", "Hertfordshire"],
    ],
    postcode: (r) => `${L(r)}${L(r)}${d(r, 1)} ${d(r, 1)}${L(r)}${L(r)}`,
    phone: (r) => `0${d(r, 2)}${d(r, 2)} ${d(r, 6)}`,
    id: (r) => ({ name: "NINO", value: `${L(r)}${L(r)} ${d(r, 2)} ${d(r, 2)} ${d(r, 2)} ${L(r)}` }),
    timezones: [["0:00", "Western Europe Time, London, Lisbon, Casablanca"]],
  },
  IE: {
    country: "Ireland",
    male: ["Seán", "Oisín", "Cian", "Pádraig", "Darragh"],
    female: ["Aoife", "Siobhán", "Caoimhe", "Róisín", "Saoirse"],
    last: ["O'Brien", "Ó Súilleabháin", "McCarthy", "O'Sullivan", "Ní Bhriain"],
    places: [
      ["Dún Laoghaire", "Dún Laoghaire–Rathdown"],
      ["Kilkenny", "Kilkenny"],
      ["Galway", "Galway"],
      ["Clonmel", "Tipperary"],
    ],
    postcode: (r) => `${L(r)}${d(r, 2)} ${L(r)}${d(r, 1)}${L(r)}${d(r, 1)}`,
    phone: (r) => `0${d(r, 2)}-${d(r, 3)}-${d(r, 4)}`,
    id: (r) => ({ name: "PPS", value: `${d(r, 7)}T` }),
    timezones: [["0:00", "Western Europe Time, London, Lisbon, Casablanca"]],
  },
  IN: {
    country: "India",
    male: ["Aarav/aarav", "विहान/vihaan", "Arjun/arjun", "साहिल/sahil", "Ishaan/ishaan"],
    female: ["Ananya/ananya", "दीया/diya", "Saanvi/saanvi", "प्रिया/priya", "Kavya/kavya"],
    last: ["Sharma/sharma", "पटेल/patel", "Reddy/reddy", "Iyer/iyer", "गुप्ता/gupta"],
    places: [
      ["Thiruvananthapuram", "Kerala"],
      ["Visakhapatnam", "Andhra Pradesh"],
      ["Pune", "Maharashtra"],
      ["Bhopal", "Madhya Pradesh"],
    ],
    postcode: (r) => num(r, 110001, 855126),
    phone: (r) => `${r.int(7, 9)}${d(r, 9)}`,
    id: (r) => ({ name: "UIDAI", value: d(r, 12) }),
    timezones: [["+5:30", "Bombay, Calcutta, Madras, New Delhi"]],
  },
  IR: {
    country: "Iran",
    male: ["آرمین/armin", "محمدرضا/mohammadreza", "پارسا/parsa", "علی/ali", "امیرحسین/amirhossein"],
    female: ["نازنین زهرا/nazaninzahra", "ستایش/setayesh", "یسنا/yasna", "فاطمه/fatemeh", "مهسا/mahsa"],
    last: ["رضایی/rezaei", "محمدی/mohammadi", "کریمی/karimi", "حسینی/hosseini", "نیکپور/nikpour"],
    places: [
      ["تهران/tehran", "تهران"],
      ["اصفهان/isfahan", "اصفهان"],
      ["شیراز/shiraz", "فارس"],
      ["مشهد/mashhad", "خراسان رضوی"],
    ],
    postcode: (r) => num(r, 10000, 99999),
    phone: (r) => `0${d(r, 2)}-${d(r, 8)}`,
    id: NONE,
    timezones: [["+3:30", "Tehran"]],
  },
  MX: {
    country: "Mexico",
    male: ["José Luis", "Andrés", "Ramón", "Jesús", "Joaquín"],
    female: ["Ximena", "Guadalupe", "Citlali", "Mónica", "Sofía"],
    last: ["Hernández", "Martínez", "Pérez", "Jiménez", "Álvarez"],
    places: [
      ["San Nicolás de los Garza", "Nuevo León"],
      ["Mérida", "Yucatán"],
      ["Querétaro", "Querétaro"],
      ["Tlaquepaque", "Jalisco"],
    ],
    postcode: (r) => num(r, 10000, 99999),
    phone: (r) => `(${d(r, 3)}) ${d(r, 3)} ${d(r, 4)}`,
    id: (r) => ({ name: "NSS", value: `${d(r, 2)} ${d(r, 2)} ${d(r, 2)} ${d(r, 4)} ${d(r, 1)}` }),
    timezones: [["-6:00", "Central Time (US & Canada), Mexico City"]],
  },
  NL: {
    country: "Netherlands",
    male: ["Daan", "Sem", "Thijs", "Joël", "Bram"],
    female: ["Anouk", "Fenna", "Isa", "Noë", "Eva"],
    last: ["de Jong", "van der Berg", "Bakker", "van 't Hof", "Jansen"],
    places: [
      ["'s-Hertogenbosch", "Noord-Brabant"],
      ["Den Haag", "Zuid-Holland"],
      ["Groningen", "Groningen"],
      ["Zwolle", "Overijssel"],
    ],
    postcode: (r) => `${d(r, 4)} ${L(r)}${L(r)}`,
    phone: (r) => `(0${d(r, 3)}) ${d(r, 6)}`,
    id: (r) => ({ name: "BSN", value: d(r, 8) }),
    timezones: EU_TZ,
  },
  NO: {
    country: "Norway",
    male: ["Bjørn", "Håkon", "Ørjan", "Sindre", "Ståle"],
    female: ["Åse", "Sølvi", "Ingrid", "Mathea", "Tuva"],
    last: ["Haugen", "Sæther", "Bråthen", "Østby", "Løvås"],
    places: [
      ["Tromsø", "Troms"],
      ["Bærum", "Akershus"],
      ["Ålesund", "Møre og Romsdal"],
      ["Bodø", "Nordland"],
    ],
    postcode: (r) => String(r.int(1, 9991)).padStart(4, "0"),
    phone: (r) => `${d(r, 8)}`,
    id: (r) => ({ name: "FN", value: d(r, 11) }),
    timezones: EU_TZ,
  },
  NZ: {
    country: "New Zealand",
    male: ["Nikau", "Tama", "Mason", "Wiremu", "Hunter"],
    female: ["Aroha", "Mereana", "Ava", "Kaia", "Harper"],
    last: ["Ngata", "Walker", "Te Whata", "Tūhoe", "Robinson"],
    places: [
      ["Whangārei", "Northland"],
      ["Tauranga", "Bay of Plenty"],
      ["Palmerston North", "Manawatū-Whanganui"],
      ["Dunedin", "Otago"],
    ],
    postcode: (r) => num(r, 1010, 9893),
    phone: (r) => `(${d(r, 3)})-${d(r, 3)}-${d(r, 4)}`,
    id: NONE,
    timezones: [["+12:00", "Auckland, Wellington, Fiji, Kamchatka"]],
  },
  RS: {
    country: "Serbia",
    male: ["Милош/milos", "Ђорђе/djordje", "Luka/luka", "Никола/nikola", "Vuk/vuk"],
    female: ["Јелена/jelena", "Milica/milica", "Љиљана/ljiljana", "Ana/ana", "Ђурђа/djurdja"],
    last: ["Јовановић/jovanovic", "Petrović/petrovic", "Ђорђевић/djordjevic", "Nikolić/nikolic", "Илић/ilic"],
    places: [
      ["Ниш/nis", "Nišava"],
      ["Beograd/beograd", "Grad Beograd"],
      ["Крагујевац/kragujevac", "Šumadija"],
      ["Čačak/cacak", "Moravica"],
    ],
    postcode: (r) => num(r, 11000, 38999),
    phone: (r) => `0${d(r, 2)}-${d(r, 4)}-${d(r, 3)}`,
    id: (r) => ({ name: "SID", value: d(r, 9) }),
    timezones: EU_TZ,
  },
  TR: {
    country: "Turkey",
    male: ["Çağlar", "Oğuz", "İsmail", "Şükrü", "Gökhan"],
    female: ["Şeyma", "Gülşen", "İpek", "Öykü", "Ayşe"],
    last: ["Şahin", "Öztürk", "Yıldız", "Çelik", "Aydoğan"],
    places: [
      ["İstanbul", "İstanbul"],
      ["Şanlıurfa", "Şanlıurfa"],
      ["Eskişehir", "Eskişehir"],
      ["Muğla", "Muğla"],
    ],
    postcode: (r) => num(r, 10000, 81999),
    phone: (r) => `(${d(r, 3)})-${d(r, 3)}-${d(r, 4)}`,
    id: NONE,
    timezones: [["+3:00", "Baghdad, Riyadh, Moscow, St. Petersburg"]],
  },
  UA: {
    country: "Ukraine",
    male: ["Богдан/bogdan", "Ярослав/yaroslav", "Святослав/svyatoslav", "Олексій/oleksiy", "Юрій/yuriy"],
    female: ["Мирослава/myroslava", "Любов/lyubov", "Ївга/yivga", "Соломія/solomiya", "Зоряна/zoryana"],
    last: ["Іваненко/ivanenko", "Шевченко/shevchenko", "Гнатюк/gnatyuk", "Коваль/koval", "Мельник/melnyk"],
    places: [
      ["Київ/kyiv", "Київська"],
      ["Львів/lviv", "Львівська"],
      ["Запоріжжя/zaporizhzhia", "Запорізька"],
      ["Кам'янець-Подільський/kamianets", "Хмельницька"],
    ],
    postcode: (r) => num(r, 1001, 99999),
    phone: (r) => `(0${d(r, 2)}) ${d(r, 3)}-${d(r, 4)}`,
    id: NONE,
    timezones: [["+2:00", "Kaliningrad, South Africa"]],
  },
  US: {
    country: "United States",
    male: ["James", "D'Andre", "Brandon", "Tyler", "Jesús"],
    female: ["Jennifer", "Brianna", "Zoë", "Ka'Lynn", "Madison"],
    last: ["Johnson", "O'Reilly", "Hernández", "Washington", "McCoy"],
    places: [
      ["Coeur d'Alene", "Idaho"],
      ["Fort Worth", "Texas"],
      ["Albuquerque", "New Mexico"],
      ["Savannah", "Georgia"],
    ],
    postcode: (r) => num(r, 10001, 99950),
    phone: (r) => `(${d(r, 3)}) ${d(r, 3)}-${d(r, 4)}`,
    id: (r) => ({ name: "SSN", value: `${d(r, 3)}-${d(r, 2)}-${d(r, 4)}` }),
    timezones: [["-5:00", "Eastern Time (US & Canada), Bogota, Lima"]],
  },
};

/** "native/latin" → [native, latin]; a plain Latin name is its own transliteration. */
export function splitName(entry: string): [native: string, latin: string] {
  const slash = entry.indexOf("/");
  if (slash < 0) return [entry, entry];
  return [entry.slice(0, slash), entry.slice(slash + 1)];
}
