"""kgraph.ingest.clean: LaTeX to Unicode, whitespace, idempotence."""

from __future__ import annotations

import re
import time
import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kgraph.ingest import clean_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # LaTeX found in the bundled corpus
        (r"Schr\"{o}dinger Bridge (SB)", "Schrödinger Bridge (SB)"),
        (r"recover the Schr\"odinger bridge", "recover the Schrödinger bridge"),
        (r"Matrix Pad\'e Approximants (MPA)", "Matrix Padé Approximants (MPA)"),
        (r"reduction in Fr\'echet inception distance", "reduction in Fréchet inception distance"),
        (r"up to an 87\% reduction in FLOPs", "up to an 87% reduction in FLOPs"),
        (r"a speed-up of 15\%sim30\% compared", "a speed-up of 15%sim30% compared"),
        (r"language modeling and math \& coding tasks", "language modeling and math & coding tasks"),
        (r"a way to {\em approximately} sample", "a way to approximately sample"),
        (r"a sampling scheme, \bf mix-cd, that", "a sampling scheme, mix-cd, that"),
        (r"new contexts (\eg text prompts)", "new contexts (e.g. text prompts)"),
        (r"a trajectory distillation method, \modelname, that", "a trajectory distillation method, modelname, that"),
        (r"the approximation error {while still be concerning}.", "the approximation error while still be concerning."),
        (r"paths in N{+}D dimensional space", "paths in N+D dimensional space"),
        (r"as few as O(d_{emb}) parameters", "as few as O(d_emb) parameters"),
        # words without LaTeX characters are left alone, even next to LaTeX
        (r"\bf mix-cd, ``collateral damage''", "mix-cd, ``collateral damage''"),
        # math, ties, escapes
        (r"a $k$-NN graph with $\alpha = 0.5$", "a k-NN graph with α = 0.5"),
        (r"$$x + y$$ displayed", "x + y displayed"),
        ("Fig.~3 and Table~2", "Fig. 3 and Table 2"),
        (r"costs \$5 and \$6", "costs $5 and $6"),
        (r"\textbf{bold} and \textit{italic} and \emph{emphasis}", "bold and italic and emphasis"),
        (r"as shown by \cite{smith2020} before", "as shown by before"),
        (r"S{\o}ren and Bal\'azs", "Søren and Balázs"),
    ],
)
def test_ingest_clean_latex_to_unicode(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # a bare % would start a LaTeX comment and swallow the rest of the text
        (r"improves by 5% on Schr\"{o}dinger tasks", "improves by 5% on Schrödinger tasks"),
        (r"5% better {\em and} 10% faster", "5% better and 10% faster"),
        ("improves by 5% on ImageNet", "improves by 5% on ImageNet"),
        # $ that is money, not math
        (r"costs $5 and $6 with \modelname", "costs $5 and $6 with modelname"),
        # a ~ in front of a number means "about"
        (r"~10% of the tokens with {\em our} model", "~10% of the tokens with our model"),
        # LaTeX specials that plain text uses too stay as written
        (r"A & B -- C --- D with {\em E}", "A & B -- C --- D with E"),
    ],
)
def test_ingest_clean_latex_traps(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Code at https://github.com/a/b~c/d%20e.", "Code at https://github.com/a/b~c/d%20e."),
        (
            r"code at https://github.com/K/MatSqrt{https://github.com/K/MatSqrt}.",
            "code at https://github.com/K/MatSqrt https://github.com/K/MatSqrt.",
        ),
        (r"see \url{http://x.org/~me} and {\em more}", "see http://x.org/~me and more"),
    ],
)
def test_ingest_clean_urls_untouched(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  many   spaces\tand\ttabs\nand\r\nnewlines  ", "many spaces and tabs and newlines"),
        ("non\u00a0breaking\u2009thin\u3000ideographic", "non breaking thin ideographic"),
        ("NUL\x00byte and bell\x07 and escape\x1b", "NULbyte and bell and escape"),
        ("soft\u00adhyphen zero\u200bwidth \ufeffbom", "softhyphen zerowidth bom"),
        ("decomposed e\u0301 becomes composed", "decomposed \u00e9 becomes composed"),
        ("", ""),
        ("   \n\t ", ""),
    ],
)
def test_ingest_clean_whitespace_and_controls(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    "plain",
    [
        "We propose JEDI, an encoder-only architecture (see https://jedi.nicpopovic.com).",
        "Accuracy rises by 63.5% in F1; costs fall to $0.01 per query.",
        "Dataset: MS-COCO [1], ImageNet-1k (2012) -- 'quoted' \"double\" #hash @at ^caret _under",
        "φ-Decoding: Schrödinger, Fréchet, 東京, émoji 🙂",
        "A lone } brace and 100 %",
    ],
)
def test_ingest_clean_plain_text_unchanged(plain: str) -> None:
    assert clean_text(plain) == plain


def test_ingest_clean_corpus_abstracts_keep_their_words(corpus_path) -> None:
    lines = corpus_path.read_text(encoding="utf-8").splitlines()
    for line in lines:
        cleaned = clean_text(line)
        assert "\\" not in cleaned
        if not re.search(r"[\\{$~]", line):
            assert cleaned == " ".join(line.split())
    assert any("achieving 44.49% improvements" in clean_text(line) for line in lines)
    # what scraping lost ("5sim10" for "5~10") is not LaTeX and stays as it was
    assert any("5sim10 NFEs" in clean_text(line) for line in lines)


def test_ingest_clean_is_fast_on_plain_text(corpus_path) -> None:
    lines = [line for line in corpus_path.read_text(encoding="utf-8").splitlines() if "\\" not in line]
    start = time.perf_counter()
    for _ in range(20):
        for line in lines:
            clean_text(line)
    per_text = (time.perf_counter() - start) / (20 * len(lines))
    assert per_text < 1e-3


# Text made of LaTeX-ish pieces, which st.text() alone rarely produces.
_LATEXY = st.lists(
    st.sampled_from(
        list("ab ~$%{}\\&^_-'`\"!?.,:;()[]05\n\t\u00a0\u0301")
        + ["\\em ", "\\'", '\\"', "\\eg", "\\modelname", "\\begin{", "\\url{", "http://x.org/", "$$", "\\$"]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), _LATEXY))
@example(r"\\{\\{a\\}\\}")
@example(r"\$a\$")
@example("$a $b$ c$")
@example("\\begin{x")
@example("{" * 200)
@example("e\x00\u0301")
def test_ingest_clean_idempotent_and_total(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once
    assert once == once.strip()
    assert "  " not in once
    assert unicodedata.is_normalized("NFC", once)
    assert not any(unicodedata.category(c) == "Cc" for c in once)
