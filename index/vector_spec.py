"""The --vectors option's words, apart from index/vectorstore.py so that `--help` imports no numpy."""

ENV = "JIXIAO_VECTORS"
HELP = ("Where the vectors live: faiss (default: files beside the corpus), milvus-lite:PATH.db (a local Milvus Lite "
        "file) or milvus://HOST:PORT[/PREFIX] (a Milvus server); Milvus needs pip install 'jixiao[scale]'.")
