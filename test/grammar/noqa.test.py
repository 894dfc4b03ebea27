# SYNTAX TEST "source.python" "noqa directives in Python comments"

# Codes and rule names after "noqa:", separated by commas.
model.save("m")  # noqa: KSM101, save-before-compile
#                ^ punctuation.definition.comment.python
#                  ^^^^ comment.line.number-sign.python keyword.other.noqa.python
#                      ^ punctuation.separator.key-value.noqa.python
#                        ^^^^^^ comment.line.number-sign.python meta.noqa.codes.python constant.other.rule-code.keras-savedmodel.python
#                              ^ meta.noqa.codes.python punctuation.separator.comma.noqa.python
#                                ^^^^^^^^^^^^^^^^^^^ comment.line.number-sign.python meta.noqa.codes.python constant.other.rule-name.noqa.python

# Any case, no space after the colon, codes of other tools, spaces as separators.
model.save("m")  # NOQA:E501 KSM101
#                  ^^^^ keyword.other.noqa.python
#                       ^^^^ constant.other.rule-code.noqa.python - constant.other.rule-code.keras-savedmodel.python
#                           ^ meta.noqa.codes.python - constant.other.rule-code.noqa.python
#                            ^^^^^^ constant.other.rule-code.keras-savedmodel.python

# A bare noqa suppresses everything on the line.
model.save("m")  # noqa
#                  ^^^^ comment.line.number-sign.python keyword.other.noqa.python
#                ^ punctuation.definition.comment.python - keyword.other.noqa.python

# A noqa after other words, behind a second "#".
model.save("m")  # trailing words # noqa: ksm502
#                  ^^^^^^^^^^^^^^ comment.line.number-sign.python - keyword.other.noqa.python punctuation.definition.comment.python
#                                 ^ punctuation.definition.comment.python
#                                   ^^^^ keyword.other.noqa.python
#                                         ^^^^^^ constant.other.rule-code.keras-savedmodel.python

# Inside a string it is text, not a directive.
x = "# noqa: KSM101"
#    ^^^^^^^^^^^^^^^ string.quoted.single.python - keyword.other.noqa.python meta.noqa.codes.python

# "noqa" not right behind a "#" is just a word, and TODO keeps its own scope.
# TODO: noqa KSM101
# <~~---- keyword.codetag.notation.python
#       ^^^^^^^^^^^ comment.line.number-sign.python - keyword.other.noqa.python meta.noqa.codes.python

# At the very start of a comment line, with no spaces at all.
#noqa:KSM101,KSM102
# <- punctuation.definition.comment.python
# <~---- keyword.other.noqa.python
# <~~~~~~------ constant.other.rule-code.keras-savedmodel.python
# <~~~~~~~~~~~~- punctuation.separator.comma.noqa.python
# <~~~~~~~~~~~~~------ constant.other.rule-code.keras-savedmodel.python
