import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, type Page } from "@playwright/test";
import { as, LOGINS, ORG_CODES, ORG_NAMES, test, waitForHydration } from "./helpers";

/** The desk's directory (scripts/e2e-server.sh): its database, mail sink and files. */
function deskDir(page: Page): string {
  const port = new URL(page.url()).port;
  return path.join(process.env.TMPDIR ?? tmpdir(), `frontline-e2e-${port}`);
}

/** Hands `message` to `frontline ingest-mail` on the desk's database, as a mail server does. */
function pipeMail(page: Page, message: string): string {
  const dir = deskDir(page);
  const offset = Number(test.info().project.metadata?.clockOffset ?? 0);
  const clock = offset !== 0 ? ["--test-clock-offset", String(offset)] : [];
  return execFileSync(process.env.FRONTLINE_BIN!, [...clock, "ingest-mail"], {
    input: message.replace(/\n/g, "\r\n"),
    env: {
      ...process.env,
      DATABASE_URL: `sqlite://${dir}/frontline.db`,
      FRONTLINE_ATTACHMENT_DIR: `${dir}/attachments`,
      FRONTLINE_MAIL_DIR: `${dir}/mail`,
    },
  }).toString();
}

/** The first mail in the desk's sink to `to` that contains `text`, once the outbox sent it. */
async function mailTo(page: Page, to: string, text: string): Promise<string> {
  const sink = path.join(deskDir(page), "mail");
  let found = "";
  await expect
    .poll(
      () => {
        if (!existsSync(sink)) return "";
        for (const file of readdirSync(sink)) {
          // quoted-printable soft line breaks would split the words looked for
          const raw = readFileSync(path.join(sink, file), "utf8").replace(/=\r?\n/g, "");
          if (raw.includes(`<${to}>`) && raw.includes(text)) return (found = raw);
        }
        return "";
      },
      { timeout: 15_000, message: `a mail to ${to} saying "${text}"` },
    )
    .not.toBe("");
  return found;
}

function header(raw: string, name: string): string | undefined {
  const unfolded = raw.replace(/\r?\n[ \t]+/g, " ");
  const line = unfolded.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

test("a mail becomes a ticket live, the reply goes back threaded, and the answer comes in live", async ({ browser }) => {
  const word = `Kestrel${Date.now()}`;
  const ana = await as(browser, LOGINS.analyst);
  await ana.goto(`/queue?q=${word}`);
  await waitForHydration(ana);
  await expect(ana.getByText("No tickets here")).toBeVisible();

  // Jo writes to the desk from her mail client
  const firstId = `<${word}-1@northwind.example>`;
  const said = pipeMail(
    ana,
    `From: Jo Bauer <${LOGINS.client}>\nTo: servicedesk@frontline.example\nSubject: ${word} badge reader rejects my card\n` +
      `Message-ID: ${firstId}\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nThe badge reader at the back door beeps red.\n`,
  );
  const number = said.match(/Opened (HD-\d+)/)?.[1];
  expect(number, said).toBeTruthy();
  const row = ana.locator("table.queue tbody tr").first();
  await expect(row).toContainText(number!);

  // the analyst answers in the browser
  await ana.goto(`/tickets/${number}`);
  await waitForHydration(ana);
  await expect(ana.getByText("The badge reader at the back door beeps red.")).toBeVisible();
  await ana.getByLabel("Message", { exact: true }).fill(`Please hold the card flat for two seconds (${word}).`);
  await ana.getByRole("button", { name: "Send reply" }).click();
  await expect(ana.locator(".timeline")).toContainText("hold the card flat");

  // Jo's mail client gets it, in the thread of her first message
  const reply = await mailTo(ana, LOGINS.client, "hold the card flat");
  expect(header(reply, "Subject")).toContain(`[${number}]`);
  // threaded under her first message (and our acknowledgement of it), marked as sent automatically
  expect(header(reply, "References")).toContain(firstId);
  expect(header(reply, "Auto-Submitted")).toBe("auto-replied");
  const ourId = header(reply, "Message-ID");
  expect(ourId).toBeTruthy();

  // Jo answers from her mail client; the analyst's open page shows it without a reload
  const answer = pipeMail(
    ana,
    `From: Jo Bauer <${LOGINS.client}>\nTo: servicedesk@frontline.example\nSubject: Re: ${header(reply, "Subject")}\n` +
      `Message-ID: <${word}-2@northwind.example>\nIn-Reply-To: ${ourId}\nReferences: ${firstId} ${ourId}\n` +
      `MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nThat worked, the door opens now.\n\n` +
      `On Mon, 7 Dec 2026 at 10:00, Help Desk <servicedesk@frontline.example> wrote:\n> Please hold the card flat\n`,
  );
  expect(answer).toContain(`Added to ${number}`);
  await expect(ana.locator(".timeline")).toContainText("the door opens now");
  // the quoted history is cut off the reply and kept behind a toggle
  await expect(ana.getByText("Show quoted text")).toBeVisible();
  await expect(ana.getByText("> Please hold the card flat")).toBeHidden();
});

test("a lead places held mail from a stranger, and the client's next mail needs nobody", async ({ browser }) => {
  const word = `Osprey${Date.now()}`;
  const domain = `${word.toLowerCase()}.example`;
  const lead = await as(browser, LOGINS.lead);
  await lead.goto("/queue");
  const said = pipeMail(
    lead,
    `From: Rui Alves <rui@${domain}>\nTo: servicedesk@frontline.example\nSubject: ${word} laptop will not boot\n` +
      `Message-ID: <${word}-1@${domain}>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nIt stops at a black screen.\n`,
  );
  expect(said).toContain("Held for an administrator");

  // the Unprocessed list says why, and offers the decision in one row
  await lead.goto("/admin/mail");
  await waitForHydration(lead);
  const row = lead.getByRole("row").filter({ hasText: `${word} laptop will not boot` });
  await expect(row).toContainText(`rui@${domain}`);
  await row.getByText("Create ticket for…").click();
  await row.getByLabel("Organization").selectOption({ label: `${ORG_NAMES.client} (${ORG_CODES.client})` });
  await row.getByLabel("and remember this sender's domain for that client").check();
  await row.getByRole("button", { name: "Create ticket" }).click();
  const notice = lead.getByRole("status").filter({ hasText: /Opened HD-\d+/ });
  await expect(notice).toBeVisible();
  const number = (await notice.textContent())!.match(/HD-\d+/)![0];
  await expect(row).toHaveCount(0);

  // the ticket is Northwind's, with the message as its problem
  await lead.goto(`/tickets/${number}`);
  await expect(lead.getByText("It stops at a black screen.")).toBeVisible();
  await expect(lead.locator("main")).toContainText(ORG_NAMES.client);

  // the domain is remembered: the next stranger from it opens a ticket by itself
  const next = pipeMail(
    lead,
    `From: Eva Lind <eva@${domain}>\nTo: servicedesk@frontline.example\nSubject: ${word} printer offline\n` +
      `Message-ID: <${word}-2@${domain}>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nThe printer shows offline.\n`,
  );
  expect(next).toMatch(/Opened HD-\d+/);
});
