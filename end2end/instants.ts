// The instants the browser suite runs at. The server is seeded and served on the wall clock moved
// to each one (`frontline --test-clock-offset`), and every browser context's clock is installed at
// the same instant, so a test whose outcome depends on the hour, the weekday or a daylight-saving
// change fails on every machine, not on the day CI happens to run.
//
// `make test` runs the whole suite at "weekday-morning" and at one of the others, chosen by the
// day (so every instant comes round within a week of CI runs), plus the @wall-clock tests on the
// real clock. E2E_INSTANTS=all (or a comma-separated list of names) runs the suite at those.

export interface Instant {
  name: string;
  /** UTC, RFC 3339 */
  at: string;
  why: string;
}

export const INSTANTS: Instant[] = [
  {
    name: "weekday-morning",
    at: "2026-11-19T16:00:00Z",
    why: "Thursday 10:00 in Chicago (Northwind), 11:00 in New York (Contoso): every client is open",
  },
  {
    name: "saturday-night",
    at: "2026-11-22T05:30:00Z",
    why: "Saturday 23:30 in Chicago: business-hours clients are closed until Monday",
  },
  {
    name: "dst-end-us",
    at: "2026-11-01T06:30:00Z",
    why: "01:30 on Sunday 1 November in Chicago, the hour that happens twice as clocks go back",
  },
  {
    name: "dst-start-europe",
    at: "2027-03-28T01:30:00Z",
    why: "03:30 on Sunday 28 March in Zurich and London, just after the hour that does not exist",
  },
  {
    name: "friday-closing",
    at: "2026-11-20T23:55:00Z",
    why: "Friday 17:55 in Chicago, five minutes before Northwind closes for the weekend",
  },
  {
    name: "monday-before-opening",
    at: "2026-11-23T13:30:00Z",
    why: "Monday 07:30 in Chicago, half an hour before Northwind opens",
  },
];

/** The instants this run uses: E2E_INSTANTS, or the fixed one plus the day's rotating one. */
export function instantsForRun(wanted: string | undefined, today: Date): Instant[] {
  if (wanted === "all") return INSTANTS;
  if (wanted) {
    return wanted.split(",").map((name) => {
      const found = INSTANTS.find((i) => i.name === name.trim());
      if (!found) throw new Error(`E2E_INSTANTS: no instant is called "${name}" (see end2end/instants.ts)`);
      return found;
    });
  }
  const rotating = INSTANTS.slice(1);
  const day = Math.floor(today.getTime() / 86_400_000);
  return [INSTANTS[0], rotating[day % rotating.length]];
}
