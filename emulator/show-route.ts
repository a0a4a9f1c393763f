/** The show route (`GET /v1/{project_id}/jobs/{job_name}/instances/{instance_id}`): one instance. */
import type { Fault } from './options';
import type { Call, Responder } from './respond';
import { type EmulatedInstance, showView } from './state';

/** Answers with the (settled) instance, shaped as the SDK's ShowJobInstanceResponse. */
export function serveShow(
  call: Call,
  out: Responder,
  instance: EmulatedInstance,
  projectId: string,
  fault: Fault | undefined,
): void {
  out.send(call, 200, showView(instance, projectId, { omitEndTime: fault?.kind === 'end-time-missing' }));
}
