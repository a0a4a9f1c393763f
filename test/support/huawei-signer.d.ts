declare module '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner' {
  export const AKSKSigner: { sign(request: unknown, credential: unknown): Record<string, string> };
}
