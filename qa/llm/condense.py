"""A follow-up question made standalone by the model ("and when?" -> "When did X resign?").

Used only in the llm mode. The model's rewrite is used as retrieval context, like
the heuristic resolution it replaces. A rewrite that looks wrong (long, several
lines) gives way to the heuristic context; a model that fails raises `LLMFailure`
(the caller answers extractively, without asking the model a second time).
"""

from __future__ import annotations

from qa.conversation import is_follow_up, resolve, user_turns
from qa.llm import client

PROMPT = """Rewrite the last question so that it can be understood without the conversation.
Keep its meaning; name what it refers to. Reply with the rewritten question only.

Conversation:
{turns}
Last question: {question}"""


def condense(llm, timeout: float, question: str, history: list[dict] | None) -> str:
    """Context for retrieval: the model's standalone question, or the heuristic context."""
    heuristic = resolve(question, history)
    turns = user_turns(history)
    if not turns or not is_follow_up(question):
        return heuristic
    from llama_index.core.llms import ChatMessage

    text = PROMPT.format(turns="\n".join(f"- {t}" for t in turns[-4:]), question=question)
    rewritten = client.reply(llm, [ChatMessage(role="user", content=text)], timeout).strip()
    if "\n" in rewritten or len(rewritten) > 4 * max(len(question), 60):
        return heuristic
    return rewritten.strip('"')
