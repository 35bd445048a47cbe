/**
 * The consensus rules as data (shared/consensus.ts): which status may follow which and with which
 * matrix action, who that lets do what, when a paragraph is ripe, and which square brackets are
 * negotiation brackets (nested, unbalanced, and not those inside quotation marks, such as the
 * document symbols of a quoted footnote).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';
import {
  AGREEMENT_STATUSES,
  hasBrackets,
  holdingStates,
  isReopening,
  isRipe,
  LOCKED_STATUSES,
  PARAGRAPH_STATUSES,
  type ParagraphStatus,
  RIPE_RULES,
  ripeness,
  ripeRuleText,
  STATUS_TRANSITIONS,
  scanBrackets,
  transitionAction,
} from '../../shared/consensus.js';
import { ROLES, roleCan } from '../../shared/roles.js';

const WORKING: ParagraphStatus[] = ['draft', 'under_discussion', 'bracketed', 'deferred'];

describe('status transitions', () => {
  test('working states move freely between themselves with setStatus', () => {
    for (const from of WORKING)
      for (const to of WORKING)
        if (from !== to) assert.equal(transitionAction(from, to), 'setStatus', `${from} → ${to}`);
  });

  test('declaring agreement from a working state needs declareAgreement', () => {
    for (const from of WORKING)
      for (const to of AGREEMENT_STATUSES)
        assert.equal(transitionAction(from, to), 'declareAgreement', `${from} → ${to}`);
  });

  test('leaving an agreement status is a reopening, needs declareAgreement, and a reason', () => {
    for (const from of AGREEMENT_STATUSES)
      for (const [to, action] of Object.entries(STATUS_TRANSITIONS[from])) {
        assert.equal(action, 'declareAgreement', `${from} → ${to}`);
        assert.equal(
          isReopening(from, to as ParagraphStatus),
          !AGREEMENT_STATUSES.has(to as ParagraphStatus),
        );
      }
    assert.equal(isReopening('agreed', 'under_discussion'), true);
    assert.equal(
      isReopening('agreed_ad_ref', 'agreed'),
      false,
      'confirming ad ref is no reopening',
    );
    assert.equal(isReopening('draft', 'agreed'), false);
  });

  test('refused transitions: no self-loops, agreed text never goes straight back to draft', () => {
    for (const s of PARAGRAPH_STATUSES) assert.equal(transitionAction(s, s), null, s);
    assert.equal(transitionAction('agreed', 'draft'), null);
    assert.equal(transitionAction('agreed', 'deleted_by_agreement'), null);
    assert.equal(transitionAction('deleted_by_agreement', 'agreed'), null);
    assert.equal(transitionAction('deleted_by_agreement', 'draft'), null);
  });

  test('every locked status can be reopened by someone', () => {
    for (const s of LOCKED_STATUSES)
      assert.ok(
        Object.keys(STATUS_TRANSITIONS[s]).some(
          (to) => !LOCKED_STATUSES.has(to as ParagraphStatus),
        ),
        s,
      );
  });

  test('with the matrix: only the chair declares agreement or reopens; secretariat works the rest', () => {
    for (const role of ROLES)
      for (const from of PARAGRAPH_STATUSES)
        for (const to of PARAGRAPH_STATUSES) {
          const action = transitionAction(from, to);
          if (!action) continue;
          const allowed = roleCan(role, action);
          const expected =
            role === 'chair' ||
            (role === 'secretariat' && WORKING.includes(from) && WORKING.includes(to));
          assert.equal(allowed, expected, `${role}: ${from} → ${to}`);
        }
    assert.ok(roleCan('expert', 'recordPosition') && roleCan('expert', 'breakSilence'));
    assert.ok(!roleCan('expert', 'setStatus') && !roleCan('observer', 'recordPosition'));
    assert.ok(roleCan('chair', 'runSilence') && !roleCan('secretariat', 'runSilence'));
  });
});

describe('ripe for agreement', () => {
  const states = ['Brazil', 'France', 'Kenya'];
  test('no-objection: ripe unless some State cannot accept (silence is no objection)', () => {
    assert.ok(!isRipe('no-objection', states, []), 'nobody has spoken: not ripe');
    assert.ok(
      isRipe('no-objection', states, [
        { state: 'Kenya', position: 'reservation' },
        { state: 'Brazil', position: 'consulting_capital' },
      ]),
    );
    assert.ok(!isRipe('no-objection', states, [{ state: 'Kenya', position: 'cannot_accept' }]));
  });

  test('all-accept: every State of the group says can accept', () => {
    const all = states.map((state) => ({ state, position: 'can_accept' as const }));
    assert.ok(isRipe('all-accept', states, all));
    assert.ok(!isRipe('all-accept', states, all.slice(1)), 'one State has not spoken');
    assert.ok(
      !isRipe('all-accept', states, [
        ...all.slice(1),
        { state: 'Brazil', position: 'reservation' },
      ]),
    );
    assert.ok(!isRipe('all-accept', [], []), 'a group without States is never ripe');
  });

  test('ripeness: only where positions exist, and nothing else stands in the way', () => {
    const base = {
      rule: 'no-objection' as const,
      states,
      positions: [{ state: 'Kenya', position: 'can_accept' as const }],
      status: 'under_discussion' as const,
      text: 'States should refrain from such activities.',
      underSilence: false,
    };
    assert.deepEqual(ripeness(base), {
      ripe: true,
      reason: 'Ripe for agreement (not yet heard: Brazil, France)',
    });
    // A draft nobody has discussed, and a deferred paragraph without positions: not ripe.
    for (const status of ['draft', 'deferred'] as const)
      assert.deepEqual(ripeness({ ...base, status, positions: [] }), {
        ripe: false,
        reason: 'No State has recorded a position',
      });
    assert.equal(ripeness({ ...base, status: 'deferred' }).ripe, true, 'deferred, but heard');
    assert.equal(ripeness({ ...base, status: 'agreed' }).reason, 'Agreed');
    assert.equal(ripeness({ ...base, underSilence: true }).ripe, false);
    assert.equal(ripeness({ ...base, text: '  ' }).ripe, false);
    assert.equal(ripeness({ ...base, text: 'States [should] act.' }).ripe, false);
    assert.deepEqual(
      ripeness({ ...base, positions: [{ state: 'Kenya', position: 'cannot_accept' }] }),
      { ripe: false, reason: 'Not ripe: a State cannot accept' },
    );
    assert.equal(ripeness({ ...base, rule: 'all-accept' }).ripe, false);
  });

  test('the rule in words names the conditions of each rule', () => {
    assert.match(ripeRuleText('no-objection'), /at least one State has recorded a position/);
    assert.match(ripeRuleText('no-objection'), /none says it cannot accept/);
    assert.match(ripeRuleText('all-accept'), /every State of the group has said it can accept/);
    for (const rule of RIPE_RULES) assert.match(ripeRuleText(rule), /square brackets/);
  });

  test('holdingStates: everyone but those who can accept, sorted', () => {
    assert.deepEqual(
      holdingStates([
        { state: 'Kenya', position: 'cannot_accept' },
        { state: 'Brazil', position: 'consulting_capital' },
        { state: 'France', position: 'can_accept' },
      ]),
      ['Brazil', 'Kenya'],
    );
  });
});

describe('square brackets', () => {
  test('a bracketed phrase: one pair', () => {
    const text = 'States should [refrain from] conducting activities.';
    assert.deepEqual(scanBrackets(text), {
      pairs: [{ open: text.indexOf('['), close: text.indexOf(']'), depth: 0 }],
      unbalanced: [],
    });
    assert.ok(hasBrackets(text));
    assert.ok(!hasBrackets('Clean, agreed text.'));
  });

  test('nested: alternatives inside a bracketed passage', () => {
    const text = '[States [should][shall] cooperate]';
    const { pairs, unbalanced } = scanBrackets(text);
    assert.deepEqual(unbalanced, []);
    assert.deepEqual(
      pairs.map((p) => [p.open, p.close, p.depth]),
      [
        [0, 33, 0],
        [8, 15, 1],
        [16, 22, 1],
      ],
    );
  });

  test('unbalanced: an extra closing bracket and an opening one never closed', () => {
    assert.deepEqual(scanBrackets('text] more'), { pairs: [], unbalanced: [4] });
    assert.deepEqual(scanBrackets('[open [inner] end'), {
      pairs: [{ open: 6, close: 12, depth: 1 }],
      unbalanced: [0],
    });
    assert.ok(hasBrackets('only ] one'), 'an unbalanced bracket still counts');
  });

  test('brackets inside quotation marks are quoted material, not negotiation brackets', () => {
    assert.ok(!hasBrackets('the item entitled “Developments [in the field]”'));
    assert.ok(!hasBrackets('as in "[...] the use of ICTs"'));
    assert.ok(!hasBrackets('the « [principes] » adopted'));
    // A quotation mark never closed quotes nothing: the bracket counts.
    assert.ok(hasBrackets('an opening “ without end [x]'));
  });

  test('a real footnote (A/C.1/70/L.45): its document symbols are brackets unless quoted', () => {
    const footnotes = fs
      .readFileSync(new URL('../fixtures/A-C.1-70-L.45-footnotes.txt', import.meta.url), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('#'));
    assert.equal(footnotes.length, 3);
    const symbols = footnotes.map((f) => (f.match(/\[A\//g) ?? []).length);
    assert.deepEqual(symbols, [2, 16, 1]);
    for (const [i, f] of footnotes.entries()) {
      // Pasted bare into a paragraph: every symbol's brackets are balanced pairs, flagged.
      const bare = scanBrackets(f);
      assert.equal(bare.pairs.length, symbols[i], f);
      assert.deepEqual(bare.unbalanced, []);
      // Quoted, as when a paragraph cites the footnote: none of them count.
      assert.ok(!hasBrackets(`The Group recalls footnote ${i + 1}: “${f}”`), f);
      // A negotiation bracket next to the quotation is still found, and only it.
      const mixed = `[Recalls] footnote ${i + 1}: “${f}”`;
      assert.deepEqual(scanBrackets(mixed), {
        pairs: [{ open: 0, close: 8, depth: 0 }],
        unbalanced: [],
      });
    }
  });
});
