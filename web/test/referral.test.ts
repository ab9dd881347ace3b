import { beforeEach, describe, expect, it } from 'vitest';
import { referralFor, rememberReferral } from '../src/referral';

describe('a share link\'s code', () => {
  beforeEach(() => sessionStorage.clear());

  it('is kept for the film whose page the link opened', () => {
    rememberReferral('flm_1', '/films/flm_1?ref=r_Ab-9');
    expect(referralFor('flm_1')).toBe('r_Ab-9');
    expect(referralFor('flm_2')).toBeUndefined();
  });

  it('is ignored when missing or malformed, and a later link does not lose the earlier code', () => {
    rememberReferral('flm_1', '/films/flm_1');
    expect(referralFor('flm_1')).toBeUndefined();
    rememberReferral('flm_1', '/films/flm_1?ref=<script>');
    expect(referralFor('flm_1')).toBeUndefined();
    rememberReferral('flm_1', '/films/flm_1?ref=first');
    rememberReferral('flm_1', '/films/flm_1?ref=');
    expect(referralFor('flm_1')).toBe('first');
  });
});
