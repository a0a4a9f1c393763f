/**
 * The peer build for the cold-start comparison: the same handler, plus request
 * signing through Huawei's SDK core (what a project using the official signer ships).
 */
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner';

export { handler } from '../handlers/sweep';
export const sign = (request: unknown, credential: unknown) => AKSKSigner.sign(request, credential);
