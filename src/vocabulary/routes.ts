import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../deps.js';
import { problems } from '../http/problem.js';
import { LANGUAGES, VOCABULARY, type VocabularyList } from '../domain/labels.js';
import { Vocabulary } from './schemas.js';

/** Computed once: the vocabulary is part of the build. */
const BODY = {
  languages: [...LANGUAGES],
  lists: Object.entries(VOCABULARY as Record<string, VocabularyList>).map(([name, l]) => ({
    name,
    description: l.description,
    terms: Object.entries(l.terms).map(([code, [zh, en]]) => ({ code, labels: { 'zh-CN': zh, en } })),
  })),
};

export const vocabularyRoutes =
  (_deps: Deps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/v1/vocabulary',
      {
        config: { public: true },
        schema: {
          tags: ['reference'],
          summary: 'Every enumerated code with its zh-CN and en labels (public)',
          description:
            'Statuses, categories, channels, measure types, roles, levels, inspection outcomes…: the codes are the contract, the labels are for people. Public pages and reports answer in Chinese by default (Accept-Language: en for English) with the code beside the label.',
          response: { 200: Vocabulary, ...problems() },
        },
      },
      async (_req, reply) => reply.header('cache-control', 'public, max-age=3600').send(BODY),
    );
  };
