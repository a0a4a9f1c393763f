import { sdkDate, signRequest } from '../lib/dataarts/signer';

/**
 * The naive peer: what a cron script would do. Lists with the API's default page
 * size (10), page after page, then restarts each failed instance one by one, with
 * no rate awareness, no concurrency and no ledger.
 */
export async function naiveSweep(
  baseUrl: string,
  projectId: string,
  ak: string,
  sk: string,
  from: number,
  to: number,
) {
  const host = new URL(baseUrl).host;
  let calls = 0;
  const send = async (method: 'GET' | 'POST', path: string, query: Record<string, string> = {}) => {
    const headers: Record<string, string> = {
      'X-Sdk-Date': sdkDate(Date.now()),
      Host: host,
      'X-Project-Id': projectId,
      // As Huawei's SDKs send on every POST; the gateway refuses a POST without it.
      ...(method === 'POST' ? { 'Content-Type': 'application/json' } : {}),
    };
    headers.Authorization = signRequest({ method, path, query, headers }, { ak, sk });
    delete headers.Host;
    const search = new URLSearchParams(query).toString();
    calls++;
    return fetch(`${baseUrl}${encodeURI(path)}${search ? `?${search}` : ''}`, { method, headers });
  };
  const failed: Array<{ jobName: string; instanceId: number }> = [];
  for (let page = 0; ; page++) {
    const response = await send('GET', `/v1/${projectId}/jobs/instances/detail`, {
      minPlanTime: String(from),
      maxPlanTime: String(to),
      limit: '10',
      offset: String(page),
    });
    const body = (await response.json()) as {
      total: number;
      instances: Array<{ jobName: string; instanceId: number; status: string }>;
    };
    for (const i of body.instances) if (i.status === 'fail') failed.push(i);
    if (body.instances.length === 0 || (page + 1) * 10 >= body.total) break;
  }
  let restarted = 0;
  for (const i of failed) {
    const response = await send(
      'POST',
      `/v1/${projectId}/jobs/${i.jobName}/instances/${i.instanceId}/restart`,
    );
    if (response.status === 204) restarted++;
  }
  return { calls, restarted };
}
