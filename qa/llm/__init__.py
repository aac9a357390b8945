"""The language-model answer mode: a model writes the answer, every claim is checked.

`client` talks to the configured endpoint (llama-index's OpenAI-like or Ollama
integration) under a hard deadline; `prompt` builds the numbered passages that
fit the model's context; `check` holds each sentence of the reply to the
passages it cites; `answerer` puts them together and falls back to the
extractive reader whenever the model fails or nothing it wrote survives.
"""
