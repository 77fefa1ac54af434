# Support staff's edits in the Django admin are audited (hand-written like makemigrations would).

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0004_mobile_changed_action'),
        ('teams', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='auditevent',
            name='audit_action_valid',
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='action',
            field=models.CharField(choices=[('login', 'Connexion'), ('login_failed', 'Échec de connexion'), ('logout', 'Déconnexion'), ('invitation_created', 'Invitation créée'), ('code_sent', 'Code envoyé par SMS'), ('code_wrong', 'Code erroné'), ('signed', 'Autorisation signée'), ('emailed', 'Invitation envoyée par e-mail'), ('email_failed', 'Échec d’envoi de l’invitation'), ('accepted', 'Invitation acceptée'), ('revoked', 'Invitation révoquée'), ('resent', 'Invitation renvoyée'), ('mobile_changed', 'Numéro de mobile changé'), ('signing_locked', 'Signature bloquée (codes erronés)'), ('signing_unlocked', 'Signature débloquée par le support'), ('support_mobile_changed', 'Mobile changé par le support'), ('support_membership_changed', 'Membre ajouté ou modifié par le support'), ('support_membership_deleted', 'Membre retiré par le support'), ('support_grants_changed', 'Droits changés par le support')], max_length=32, verbose_name='action'),
        ),
        migrations.AddConstraint(
            model_name='auditevent',
            constraint=models.CheckConstraint(condition=models.Q(('action__in', ['login', 'login_failed', 'logout', 'invitation_created', 'code_sent', 'code_wrong', 'signed', 'emailed', 'email_failed', 'accepted', 'revoked', 'resent', 'mobile_changed', 'signing_locked', 'signing_unlocked', 'support_mobile_changed', 'support_membership_changed', 'support_membership_deleted', 'support_grants_changed'])), name='audit_action_valid'),
        ),
    ]
