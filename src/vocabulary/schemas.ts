import { Type } from 'typebox';

export const Term = Type.Object(
  {
    code: Type.String({ description: 'The code the API sends and accepts', examples: ['in_progress'] }),
    labels: Type.Object(
      {
        'zh-CN': Type.String({ description: 'Chinese label', examples: ['办理中'] }),
        en: Type.String({ description: 'English label', examples: ['In progress'] }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const Vocabulary = Type.Object(
  {
    languages: Type.Array(Type.String(), { description: 'Label languages, the default first', examples: [['zh-CN', 'en']] }),
    lists: Type.Array(
      Type.Object(
        {
          name: Type.String({ description: 'The list, e.g. complaint_status', examples: ['complaint_status'] }),
          description: Type.String({ examples: ['Status of a 12369 complaint'] }),
          terms: Type.Array(Term),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
