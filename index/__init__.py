"""Reading, chunking, embedding, storing and syncing articles.

files -> articles (`articles`) -> chunks (`chunks`) -> embeddings (`embedding`)
-> store (`store`), kept in step with the corpus by `sync`.
"""

from index.offline import configure_offline

configure_offline()
