// The course's JupyterLab extension: each assignment's due date in nbgrader's
// Assignments tab (labextension/README.md).
//
// nbgrader's panel (@jupyter/nbgrader, assignment_list) shows only an assignment's
// name, course and button. On the course hub its list endpoint
// (GET <server>/assignments?course_id=...) also gives each assignment `due_date` and,
// for a student with an extension, `extended_due_date` (ISO 8601, UTC; added by
// hub/dp_hub_exchange.py's ExchangeList). This plugin watches the page for the panel's
// rows, asks that endpoint once for the rows it has not labelled yet, and adds
// "due <date>" to each name, in the reader's own time zone. Without dates (off the hub,
// the grading service down) the panel stays as nbgrader made it.
// Nothing is imported from JupyterLab (the app object gives the server's URL and
// token), so the built extension does not depend on the exact JupyterLab version.

const LISTS = [
  'released_assignments_list',
  'fetched_assignments_list',
  'submitted_assignments_list'
];
const MARK = 'dpDue'; // data-dp-due on a row: labelled (empty when it has no date)

function when(iso) {
  return new Date(iso).toLocaleString(undefined, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit'
  });
}

// "due Fri, 5 Dec 2026, 23:59" and, with an extension, "(yours: ...)"; null without a date.
export function dueText(record) {
  if (!record || !record.due_date) {
    return null;
  }
  let text = `due ${when(record.due_date)}`;
  if (record.extended_due_date) {
    text += ` (your extension: ${when(record.extended_due_date)})`;
  }
  return text;
}

// The panel's rows not labelled yet: [row, course, assignment] for each.
function unlabelledRows() {
  const rows = [];
  for (const id of LISTS) {
    const list = document.getElementById(id);
    if (!list) {
      continue;
    }
    for (const row of list.querySelectorAll(':scope > .list_item')) {
      const name = row.querySelector('.item_name > a, .item_name > span');
      const course = row.querySelector('.item_course');
      if (name && course && row.dataset[MARK] === undefined) {
        rows.push([row, course.textContent.trim(), name.textContent.trim()]);
      }
    }
  }
  return rows;
}

async function listed(settings, course) {
  const url = `${settings.baseUrl}assignments?course_id=${encodeURIComponent(course)}`;
  const headers = settings.token ? { Authorization: `token ${settings.token}` } : {};
  const response = await fetch(url, { ...settings.init, method: 'GET', headers });
  const answer = response.ok ? await response.json() : null;
  return answer && answer.success && Array.isArray(answer.value) ? answer.value : [];
}

async function label(settings) {
  const rows = unlabelledRows();
  if (!rows.length) {
    return;
  }
  for (const [row] of rows) {
    row.dataset[MARK] = ''; // asked for: not again until nbgrader redraws the row
  }
  const courses = [...new Set(rows.map(([, course]) => course))];
  const records = new Map();
  for (const course of courses) {
    for (const record of await listed(settings, course)) {
      records.set(`${record.course_id}\n${record.assignment_id}`, record);
    }
  }
  for (const [row, course, assignment] of rows) {
    const text = dueText(records.get(`${course}\n${assignment}`));
    if (text && row.isConnected) {
      const span = document.createElement('span');
      span.className = 'dp-due-date';
      span.textContent = text;
      span.style.marginLeft = '0.75em';
      span.style.opacity = '0.75';
      row.querySelector('.item_name').append(span);
      row.dataset[MARK] = text;
    }
  }
}

const plugin = {
  id: 'dp-assignment-due-dates:plugin',
  description: "Each assignment's due date in nbgrader's Assignments tab.",
  autoStart: true,
  activate: app => {
    const settings = app.serviceManager.serverSettings;
    let queued = false;
    const observer = new MutationObserver(() => {
      if (queued || !document.getElementById(LISTS[0])) {
        return; // cheap for every other change of the page
      }
      queued = true;
      setTimeout(() => {
        queued = false;
        label(settings).catch(error => console.warn('due dates:', error));
      }, 100);
    });
    observer.observe(document.body, { childList: true, subtree: true });
  }
};

export default plugin;
