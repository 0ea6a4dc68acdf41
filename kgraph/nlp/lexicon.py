"""Word lists that the rule-based extractors key on.

They describe how abstracts talk about methods, tasks and datasets in general
(head nouns, cue verbs, evaluative adjectives), not any particular corpus.
"""

from __future__ import annotations

# Head nouns that make a noun phrase name a task ("camera pose estimation").
TASK_HEADS = frozenset(
    """
    estimation detection classification segmentation recognition generation synthesis
    reconstruction translation answering retrieval prediction tracking localization
    localisation captioning summarization summarisation parsing tagging forecasting
    completion matching understanding reasoning planning denoising super-resolution
    editing compression verification extraction labeling labelling clustering
    inpainting deblurring restoration registration navigation grounding inference
    modeling modelling transcription diarization identification anonymization
    fact-checking colorization enhancement manipulation discovery imputation
    """.split()
)

# Head nouns that make a noun phrase name a method ("latent diffusion model").
METHOD_HEADS = frozenset(
    """
    network networks model models transformer transformers algorithm algorithms
    architecture architectures framework frameworks encoder encoders decoder decoders
    autoencoder autoencoders optimizer optimizers optimiser regularization regularisation
    attention mechanism distillation sampling sampler samplers solver solvers
    embedding embeddings pruning quantization adaptation fine-tuning finetuning descent
    backpropagation propagation learning ensemble ensembles method methods technique
    techniques approach approaches strategy module modules layer layers kernel kernels
    machine machines tree trees forest forests classifier classifiers regression
    filter filters search policy policies loss normalization normalisation
    augmentation dropout mixture process processes field fields flow flows gan gans
    estimator estimators scheme schemes
    """.split()
)

# Head nouns of dataset names ("the ImageNet dataset").
DATASET_HEADS = frozenset(
    "dataset datasets benchmark benchmarks corpus corpora suite collection testbed".split()
)

# Heads so generic that a phrase made of them and evaluative words names nothing.
GENERIC_HEADS = frozenset(
    """
    method methods approach approaches technique techniques model models framework
    frameworks algorithm algorithms strategy module modules mechanism scheme schemes
    architecture architectures network networks layer layers process processes
    system systems tool tools solution solutions work works paper papers
    """.split()
)

# Adjectives and determiners that praise or quantify rather than name.
EVALUATIVE = frozenset(
    """
    novel new efficient effective accurate scalable robust simple fast faster
    existing current previous prior recent popular standard conventional traditional
    various different several many multiple diverse general generic powerful
    strong stronger competitive significant substantial proposed our their its
    state-of-the-art sota high-quality lightweight practical principled unified
    innovative remarkable promising improved enhanced better best superior
    extensive large-scale small large huge key core main important common typical
    first second third single two three four five final original alternative
    other such same overall specific particular respective certain whole entire
    well-known widely-used underlying corresponding resulting following above
    smaller larger bigger advanced distinct actual detailed heavy cumbersome
    mainstream expensive costly inefficient broader generalizable trustworthy
    simultaneous classical classic modern naive vanilla baseline
    """.split()
)

# Heads so vague that only a noun or a name before them makes a name:
# "diffusion process" names something, "iterative process" does not.
VAGUE_HEADS = frozenset(
    """
    method methods approach approaches technique techniques framework frameworks
    strategy strategies scheme schemes mechanism mechanisms process processes
    algorithm algorithms module modules solution solutions system systems
    """.split()
)

# Words that open a title or a sentence without being part of a name
# ("Beyond Backpropagation", "Towards ...").
LEADING_FUNCTION_WORDS = frozenset("beyond towards toward via with without for from on into over through".split())

# Verbs whose object is what a paper contributes ("we propose X").
PROPOSE_VERBS = frozenset(
    "propose introduce present develop design devise build create release construct "
    "curate formulate establish offer contribute derive".split()
)
# Verbs whose object a paper uses ("we use X").
USE_VERBS = frozenset(
    "use employ leverage adopt utilize utilise apply exploit rely incorporate".split()
)
# Words that signal an evaluation context ("experiments on X").
EVALUATION_CUES = frozenset(
    "experiment experiments evaluate evaluation evaluations benchmark benchmarks "
    "result results test tests outperform outperforms achieve achieves demonstrate "
    "show shows accuracy performance".split()
)
# Words that say one method builds on another.
EXTENDS_CUES = frozenset(
    "extend extends extending extension generalization generalisation generalize "
    "generalizes variant variants build builds building built upon improve improves "
    "improvement adaptation modification based derived".split()
)
# Words that say two methods are compared.
COMPARE_CUES = frozenset(
    "outperform outperforms outperforming surpass surpasses compare compared "
    "comparison versus vs vs. than beats baseline baselines rival rivals".split()
)
# Words that say one method is a component of another.
PART_CUES = frozenset("consist consists comprise comprises component components contain contains".split())
# Words that introduce the task a method serves.
PURPOSE_PREPOSITIONS = frozenset("for on in to towards toward".split())

# Upper-case tokens that are units, hardware or generic abbreviations, not names.
NON_NAME_TOKENS = frozenset(
    """
    GPU GPUs CPU CPUs TPU TPUs API APIs URL URLs PDF PDFs RAM GB MB KB TB ms Hz kHz MHz
    GHz AI ML US UK EU SOTA SoTA II III IV VI VII VIII IX XI XII FLOPs FLOP FLOPS
    NFE NFEs 1D 2D 3D 4D 6D 1K 2K 4K 8K OK PhD TV PC IoT AR VR XR HD FPS fps
    FID PSNR SSIM LPIPS BLEU ROUGE METEOR mAP AUC AUROC ROC MSE MAE RMSE IoU mIoU F1
    Top-1 Top-5 CI N K M T L D
    """.split()
)
# Metric names: kept out of the method type (a metric type may come later).
METRIC_TOKENS = frozenset("FID PSNR SSIM LPIPS BLEU ROUGE METEOR mAP AUC AUROC MSE MAE RMSE IoU mIoU F1".split())

# Title prefixes that introduce a survey, not a contribution ("X: A Survey on ...").
SURVEY_WORDS = frozenset("survey review overview tutorial primer perspective position".split())

# Abbreviations after which a period does not end a sentence.
NON_FINAL_ABBREVIATIONS = frozenset("e.g. i.e. et al. vs. cf. Fig. Eq. Sec. Tab. etc. approx. resp. w.r.t.".split())

# Irregular past forms of the cue verbs above.
IRREGULAR_PAST = {"build": "built", "rely": "relied", "apply": "applied"}
# Words before which a verb's base or -s form reads as a noun ("the use of", "our design").
NOUN_MARKERS = frozenset("a an the this that these those its their our his her of each every".split())
BE_FORMS = frozenset("is are was were be been being".split())
# Words that end an appositive's description ("X, a benchmark for ...").
PREPOSITIONS = frozenset("of for in on with by to from via into over under through at as".split())


def verb_forms(lemmas: frozenset[str]) -> dict[str, tuple[str, str]]:
    """Each inflected form of the verbs -> (lemma, form kind: "base", "s", "ed", "ing").

    Regular English inflection with the final -e and -y rules and
    :data:`IRREGULAR_PAST`; it only has to cover the cue verbs above.
    """
    forms: dict[str, tuple[str, str]] = {}
    for lemma in sorted(lemmas):
        if lemma.endswith("e"):
            ed, ing, s = lemma + "d", lemma[:-1] + "ing", lemma + "s"
        elif lemma.endswith("y") and lemma[-2:-1] not in "aeiou":
            ed, ing, s = lemma[:-1] + "ied", lemma + "ing", lemma[:-1] + "ies"
        else:
            ed, ing = lemma + "ed", lemma + "ing"
            s = lemma + ("es" if lemma.endswith(("s", "x", "z", "ch", "sh")) else "s")
        ed = IRREGULAR_PAST.get(lemma, ed)
        for form, kind in ((lemma, "base"), (s, "s"), (ed, "ed"), (ing, "ing")):
            forms.setdefault(form, (lemma, kind))
    return forms


PROPOSE_FORMS = verb_forms(PROPOSE_VERBS)
USE_FORMS = verb_forms(USE_VERBS)
